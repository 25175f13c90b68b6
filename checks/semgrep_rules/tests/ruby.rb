require "open3"
require "yaml"

class SamplesController < ApplicationController
  def run
    # ruleid: ruby-eval-dynamic-input
    eval(params[:code])
    # ruleid: ruby-eval-dynamic-input
    eval("1 + #{params[:n]}")
    # ok: ruby-eval-dynamic-input
    eval("1 + 1")

    # ruleid: ruby-command-injection-interpolation
    system("convert #{params[:file]} out.png")
    # ruleid: ruby-command-injection-interpolation
    output = `ls #{params[:dir]}`
    # ruleid: ruby-command-injection-interpolation
    Open3.capture2("git log #{params[:branch]}")
    # ok: ruby-command-injection-interpolation
    system("convert", params[:file], "out.png")
    # ok: ruby-command-injection-interpolation
    listing = `ls -la`

    # ruleid: ruby-sql-interpolation
    User.where("email = '#{params[:email]}'")
    # ruleid: ruby-sql-interpolation
    User.find_by_sql("SELECT * FROM users WHERE id = #{params[:id]}")
    # ok: ruby-sql-interpolation
    User.where("email = ?", params[:email])
    # ok: ruby-sql-interpolation
    User.where(email: params[:email])

    # ruleid: ruby-yaml-unsafe-load
    config = YAML.load(request.body.read)
    # ok: ruby-yaml-unsafe-load
    safe = YAML.safe_load(request.body.read)
    render json: [output, listing, config, safe]
  end
end
