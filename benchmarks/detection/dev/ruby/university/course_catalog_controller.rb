class CourseCatalogController < ApplicationController
  SORTABLE_COLUMNS = %w[code title credits starts_on].freeze
  SORT_DIRECTIONS = %w[asc desc].freeze

  before_action :authenticate_user!, except: %i[index search show]

  def index
    # safe: CWE-89
    @courses = Course.where(published: true, department_id: params[:department_id]).order("#{sort_column} #{sort_direction}")
    respond_to do |format|
      format.html
      format.json { render json: @courses.as_json(only: %i[id code title credits]) }
    end
  end

  def search
    term = params[:q].to_s.strip
    # vuln: CWE-89
    @courses = Course.where("published = TRUE AND (title ILIKE '%#{term}%' OR code ILIKE '%#{term}%')").limit(50)
    if @courses.empty?
      # vuln: CWE-79
      render html: "<p class=\"empty-state\">No courses match <strong>#{term}</strong>.</p>".html_safe, layout: "application"
    else
      render :search
    end
  end

  def quick_search
    term = params[:q].to_s.strip
    pattern = "%#{Course.sanitize_sql_like(term)}%"
    # safe: CWE-89
    @courses = Course.where("published = TRUE AND (title ILIKE ? OR code ILIKE ?)", pattern, pattern).limit(20)
    if @courses.empty?
      # safe: CWE-79
      render html: "<p class=\"empty-state\">No courses match <strong>#{ERB::Util.html_escape(term)}</strong>.</p>".html_safe, layout: "application"
    else
      render partial: "courses/result", collection: @courses
    end
  end

  def by_instructor
    instructor = params[:instructor]
    term_code = params[:term]
    sql = format("SELECT courses.* FROM courses JOIN sections ON sections.course_id = courses.id WHERE sections.instructor_name = '%s' AND sections.term_code = '%s'", instructor, term_code)
    # vuln: CWE-89
    @courses = Course.find_by_sql(sql)
    render :index
  end

  def show
    @course = Course.find(params[:id])
    @breadcrumb = breadcrumb(params[:from_label]) if params[:from_label].present?
  end

  def enroll
    course = Course.find(params[:id])
    current_user.enrollments.create!(section: course.sections.open.find(params[:section_id]))
    # vuln: CWE-601
    redirect_to params[:return_to] || course_path(course), notice: "Enrolled in #{course.code}"
  end

  def withdraw
    enrollment = current_user.enrollments.find(params[:enrollment_id])
    enrollment.update!(status: "withdrawn")
    # safe: CWE-601
    redirect_to safe_return_path(params[:return_to]), notice: "Withdrawn from #{enrollment.course.code}"
  end

  def select_term
    # vuln: CWE-501
    session[:selected_term] = params[:term_code]
    redirect_to course_catalog_index_path
  end

  def preview_description
    description = params.require(:course).permit(:description)[:description]
    # vuln: CWE-79
    render html: description.html_safe, layout: "preview"
  end

  def preview_syllabus
    # safe: CWE-79
    render html: helpers.sanitize(params[:syllabus], tags: %w[p ul ol li strong em h3 a], attributes: %w[href]), layout: "preview"
  end

  def prerequisites_check
    missing = Course.find(params[:id]).prerequisites.where.not(id: current_user.completed_course_ids)
    if missing.any?
      # safe: CWE-79
      render html: helpers.content_tag(:p, "#{params[:student_name]}, you still need: #{missing.map(&:code).join(', ')}", class: "alert"), status: :unprocessable_entity
    else
      render plain: "ok"
    end
  end

  def export_titles
    # safe: CWE-79
    render plain: "Courses matching #{params[:q]}:\n" + Course.where(published: true).pluck(:title).join("\n")
  end

  def stats
    # vuln: CWE-89
    rows = Course.connection.select_rows("SELECT department_id, COUNT(*) FROM courses WHERE starts_on >= '" + params[:from] + "' GROUP BY department_id")
    # safe: CWE-89
    seats = Course.connection.select_value("SELECT SUM(capacity) FROM sections WHERE course_id = #{Integer(params[:course_id])}")
    render json: { departments: rows, seats: seats }
  end

  private

  def breadcrumb(label)
    # vuln: CWE-79
    "<nav class=\"crumbs\"><a href=\"/catalog\">Catalog</a> &rsaquo; #{label}</nav>".html_safe
  end

  def safe_return_path(candidate)
    candidate = candidate.to_s
    return course_catalog_index_path unless candidate.match?(%r{\A/(?![/\\])}) && URI.parse(candidate).host.nil?
    candidate
  rescue URI::InvalidURIError
    course_catalog_index_path
  end

  def sort_column
    SORTABLE_COLUMNS.include?(params[:sort]) ? params[:sort] : "code"
  end

  def sort_direction
    SORT_DIRECTIONS.include?(params[:direction]) ? params[:direction] : "asc"
  end
end
