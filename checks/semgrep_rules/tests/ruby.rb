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
    # ok: ruby-eval-dynamic-input
    Sandbox.new.instance_eval(File.read(BUILTIN_RULES_PATH), BUILTIN_RULES_PATH.to_s)
    # ruleid: ruby-eval-dynamic-input
    Sandbox.new.instance_eval(File.read(params[:rules_path]))

    system("convert #{params[:file]} out.png")
    output = `ls #{params[:dir]}`
    Open3.capture2("git log #{params[:branch]}")
    system("convert", params[:file], "out.png")
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

class ApplicantsController < ApplicationController
  def show
    # ruleid: ruby-html-safe-record-attribute
    @headline = "#{@applicant.full_name} &mdash; #{@applicant.employer}".html_safe
    # ok: ruby-html-safe-record-attribute
    @count = "#{@applicant.id} <b>references</b>".html_safe
    # ok: ruby-html-safe-record-attribute
    @safe = "#{h(@applicant.full_name)} &mdash;".html_safe
  end
end
