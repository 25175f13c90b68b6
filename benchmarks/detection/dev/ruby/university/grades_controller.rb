class GradesController < ApplicationController
  before_action :authenticate_instructor!
  before_action :load_section, except: %i[honor_roll honor_roll_report transcript_lookup]

  COMPONENTS = %w[homework quizzes midterm final project].freeze
  DEFAULT_POLICY_PATH = Rails.root.join("config", "grading", "default_policy.rb")

  def compute_final
    formula = params.require(:grading).fetch(:formula)
    results = @section.enrollments.includes(:assessment_scores).map do |enrollment|
      scores = enrollment.component_scores
      expression = formula.gsub(/\b(#{COMPONENTS.join('|')})\b/) { scores.fetch(Regexp.last_match(1), 0).to_s }
      # vuln: CWE-95
      total = eval(expression)
      [enrollment.id, total.round(2)]
    end
    render json: results.to_h
  end

  def preview_final
    formula = params.require(:grading).fetch(:formula)
    calculator = Dentaku::Calculator.new
    results = @section.enrollments.map do |enrollment|
      scores = enrollment.component_scores.slice(*COMPONENTS).transform_keys(&:to_sym)
      # safe: CWE-95
      total = calculator.evaluate!(formula, scores)
      [enrollment.id, total.to_f.round(2)]
    end
    render json: results.to_h
  end

  def apply_policy
    policy = GradingPolicy.new(@section)
    rules = params.require(:policy_file).read.force_encoding("UTF-8")
    # vuln: CWE-95
    policy.instance_eval(rules)
    policy.apply!
    redirect_to section_grades_path(@section), notice: "Grading policy applied"
  end

  def apply_default_policy
    policy = GradingPolicy.new(@section)
    # safe: CWE-95
    policy.instance_eval(File.read(DEFAULT_POLICY_PATH), DEFAULT_POLICY_PATH.to_s)
    policy.apply!
    redirect_to section_grades_path(@section), notice: "Default policy applied"
  end

  def curve
    adjustment = params[:adjustment]
    # vuln: CWE-95
    @section.grades.each { |grade| grade.update!(points: eval("#{grade.points} #{adjustment}")) }
    head :no_content
  end

  def honor_roll
    # vuln: CWE-89
    @students = Student.joins(:grades).group("students.id").having("AVG(grades.points) >= #{params[:min_gpa]}").select("students.*, AVG(grades.points) AS gpa")
    render :honor_roll
  end

  def honor_roll_report
    min_gpa = Float(params[:min_gpa], exception: false) || 3.5
    # safe: CWE-89
    @students = Student.joins(:grades).group("students.id").having("AVG(grades.points) >= ?", min_gpa).select("students.*, AVG(grades.points) AS gpa")
    render :honor_roll
  end

  def transcript_lookup
    body = JSON.parse(request.body.read)
    # vuln: CWE-89
    grades = Grade.joins(:course).where("grades.student_number = '#{body['student_number']}' AND grades.term_code = '#{body['term']}'").pluck("courses.code", "grades.letter")
    # safe: CWE-89
    credits = Grade.joins(:course).where(student_number: body["student_number"], term_code: body["term"]).sum("courses.credits")
    render json: { grades: grades, credits: credits }
  end

  def update_letter
    grade = @section.grades.find(params[:id])
    # safe: CWE-89
    Grade.where("id = ? AND section_id = ?", grade.id, @section.id).update_all(letter: params[:letter], updated_by_id: current_instructor.id)
    redirect_to section_grades_path(@section)
  end

  private

  def load_section
    @section = current_instructor.sections.find(params[:section_id])
  end
end
