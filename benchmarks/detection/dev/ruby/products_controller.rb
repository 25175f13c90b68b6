# Product listing and search pages.
class ProductsController < ApplicationController
  SORTABLE = { "name" => "name", "price" => "price", "newest" => "created_at DESC" }.freeze

  def index
    category = params[:category]
    # vuln: CWE-89
    @products = Product.where("category = '#{category}'")
    render json: @products
  end

  def search
    term = params.require(:q)
    # vuln: CWE-89
    rows = Product.find_by_sql("SELECT id, name, price FROM products WHERE name LIKE '%" + term + "%'")
    render json: rows
  end

  def cheaper_than
    max_price = params[:max_price]
    # vuln: CWE-89
    @products = Product.where("price < " + max_price).order(:price).limit(50)
    render json: @products
  end

  def by_brand
    brand = request.headers["X-Brand"]
    sql = "SELECT id, name FROM products WHERE brand = '%s' AND active" % brand
    # vuln: CWE-89
    rows = ActiveRecord::Base.connection.select_all(sql)
    render json: rows.to_a
  end

  def index_safe
    # safe: CWE-89
    @products = Product.where(category: params[:category])
    render json: @products
  end

  def search_safe
    term = params.require(:q)
    # safe: CWE-89
    rows = Product.where("name LIKE ?", "%#{Product.sanitize_sql_like(term)}%")
    render json: rows
  end

  def sorted_safe
    order = SORTABLE.fetch(params[:order].to_s, "name")
    # safe: CWE-89
    @products = Product.order(Arel.sql(order)).limit(50)
    render json: @products
  end

  def latest
    limit = params.fetch(:limit, 20).to_i
    # safe: CWE-89
    rows = Product.find_by_sql("SELECT id, name FROM products ORDER BY created_at DESC LIMIT #{limit}")
    render json: rows
  end

  def hello
    name = params[:name] || "guest"
    # vuln: CWE-79
    render html: "<h1>Welcome back, #{name}!</h1>".html_safe
  end

  def search_page
    # vuln: CWE-79
    render html: helpers.raw("<p>No results for <b>#{params[:q]}</b></p>")
  end

  def preview_review
    body = params[:review][:body]
    # vuln: CWE-79
    render html: ("<article>" + body + "</article>").html_safe, layout: "preview"
  end

  def not_found
    # vuln: CWE-79
    render html: "<p>Nothing lives at #{CGI.unescape(request.fullpath)}</p>".html_safe, status: :not_found
  end

  def hello_safe
    name = params[:name] || "guest"
    # safe: CWE-79
    render html: "<h1>Welcome back, #{ERB::Util.html_escape(name)}!</h1>".html_safe
  end

  def search_page_safe
    # safe: CWE-79
    render html: helpers.content_tag(:p, "No results for #{params[:q]}")
  end

  def search_api
    # safe: CWE-79
    render json: { query: params[:q], results: [] }
  end

  def preview_review_safe
    # safe: CWE-79
    render html: helpers.sanitize(params[:review][:body], tags: %w[p b i em strong a], attributes: %w[href])
  end
end
