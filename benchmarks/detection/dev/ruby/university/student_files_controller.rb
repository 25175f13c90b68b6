require "fileutils"
require "base64"

class StudentFilesController < ApplicationController
  before_action :authenticate_student!

  UPLOAD_ROOT = Rails.root.join("storage", "submissions").to_s
  EXPORT_DIR = Rails.root.join("tmp", "exports")
  ALLOWED_EXTENSIONS = %w[.pdf .docx .zip .txt .png .jpg].freeze

  def create
    upload = params.require(:submission)
    dir = student_dir
    FileUtils.mkdir_p(dir)
    # vuln: CWE-22
    File.open(File.join(dir, upload.original_filename), "wb") { |file| file.write(upload.read) }
    redirect_to student_files_path, notice: "Uploaded #{upload.original_filename}"
  end

  def create_assignment_upload
    upload = params.require(:submission)
    extension = File.extname(upload.original_filename).downcase
    return head :unprocessable_entity unless ALLOWED_EXTENSIONS.include?(extension)
    record = current_student.submissions.create!(original_name: upload.original_filename, stored_name: "#{SecureRandom.uuid}#{extension}")
    FileUtils.mkdir_p(student_dir)
    # safe: CWE-22
    File.open(File.join(student_dir, record.stored_name), "wb") { |file| file.write(upload.read) }
    redirect_to student_files_path, notice: "Uploaded"
  end

  def download
    # vuln: CWE-22
    send_file File.join(student_dir, params[:filename]), disposition: "attachment"
  end

  def download_by_name
    # safe: CWE-22
    send_file File.join(student_dir, File.basename(params[:filename].to_s)), disposition: "attachment"
  end

  def destroy
    path = "#{student_dir}/#{params[:filename]}"
    # vuln: CWE-22
    FileUtils.rm_f(path)
    redirect_to student_files_path, notice: "Deleted"
  end

  def preview
    base = File.realpath(student_dir)
    path = File.expand_path(params[:path].to_s, base)
    return head :forbidden unless path.start_with?(base + File::SEPARATOR)
    # safe: CWE-22
    render plain: File.read(path)
  end

  def export
    # vuln: CWE-22
    send_file EXPORT_DIR.join(cookies[:last_export]), type: "text/csv"
  end

  def grade_export
    # safe: CWE-22
    send_file EXPORT_DIR.join("grades_#{current_student.id}_#{Integer(params[:export_id])}.csv"), type: "text/csv"
  end

  def restore_draft
    return head :no_content if cookies[:submission_draft].blank?
    # vuln: CWE-502
    draft = Marshal.load(Base64.urlsafe_decode64(cookies[:submission_draft]))
    render json: draft
  end

  def restore_draft_json
    return head :no_content if cookies[:submission_draft].blank?
    # safe: CWE-502
    draft = JSON.parse(Base64.urlsafe_decode64(cookies[:submission_draft]))
    render json: draft.slice("title", "body", "saved_at")
  end

  def restore_signed_draft
    # safe: CWE-502
    draft = Rails.application.message_verifier(:submission_draft).verify(params[:draft_token])
    render json: draft
  rescue ActiveSupport::MessageVerifier::InvalidSignature
    head :unprocessable_entity
  end

  def archive_to_s3
    submission = current_student.submissions.find(params[:id])
    s3_client.put_object(bucket: "uni-student-submissions", key: "#{current_student.id}/#{submission.stored_name}", body: File.open(File.join(student_dir, submission.stored_name), "rb"))
    head :accepted
  end

  def cold_archive
    submission = current_student.submissions.find(params[:id])
    archive_s3_client.put_object(bucket: "uni-submissions-archive", key: "#{current_student.id}/#{submission.stored_name}", body: File.open(File.join(student_dir, submission.stored_name), "rb"), storage_class: "GLACIER")
    head :accepted
  end

  private

  def student_dir
    File.join(UPLOAD_ROOT, current_student.id.to_s)
  end

  def s3_client
    # vuln: CWE-798
    @s3_client ||= Aws::S3::Client.new(region: "us-east-1", access_key_id: "AKIA4QZ7N2XK5RTW8HPL", secret_access_key: "q8Hn2vK+9dTzR4mLw7XpE1sYbJ6cFgA3uVo0iN5Q")
  end

  def archive_s3_client
    # safe: CWE-798
    @archive_s3_client ||= Aws::S3::Client.new(region: "us-east-1", access_key_id: ENV.fetch("ARCHIVE_AWS_ACCESS_KEY_ID"), secret_access_key: ENV.fetch("ARCHIVE_AWS_SECRET_ACCESS_KEY"))
  end
end
