"""Worker and integration configuration for the logistics platform."""

import os

import boto3
import redis
import sendgrid
from celery import Celery

# vuln: CWE-798
broker_url = "amqp://logistics:R9vT2#kQm7Lx!p4W@rabbitmq.internal.example.com:5672/logistics"

# safe: CWE-798
result_backend = os.environ.get("CELERY_RESULT_BACKEND", "redis://localhost:6379/1")

app = Celery("logistics", broker=broker_url, backend=result_backend)

# vuln: CWE-798
s3 = boto3.client("s3", aws_access_key_id="AKIAT5P8R2K7M4N9Q3WX", aws_secret_access_key="Yb4Vc9Xd2Ze7Af1Bg6Ch3Di8Ej5Fk0Gl4Hm9In2Jo")

# vuln: CWE-798
mailer = sendgrid.SendGridAPIClient(api_key="SG.kT7mQ2vX9pR4wL8n.Zb3Yc6Xd1We5Vf9Ug2Th7Si4Rj0Qk8Pl3Om6Nn1Mo5Lp")


class CarrierClient:
    # vuln: CWE-798
    api_token = "ghp_R7tK2mQ9vX4pL8wN3bZ6yC1dF5hJ0sA2eG7k"

    def __init__(self, base_url="https://api.carrier.example.com"):
        self.base_url = base_url


# vuln: CWE-798
cache = redis.Redis(host="cache.internal.example.com", password="pW3!nZ8qR5tK2vMx", db=0)

# safe: CWE-798
warehouse_cache = redis.Redis.from_url(os.environ["WAREHOUSE_REDIS_URL"])

# safe: CWE-798
backup_s3 = boto3.client("s3")

# safe: CWE-798
secrets_client = boto3.client("secretsmanager").get_secret_value(SecretId="logistics/carrier-token")["SecretString"]

# safe: CWE-798
password_hash_iterations = 600_000

# safe: CWE-798
token_header_name = "X-Carrier-Token"
