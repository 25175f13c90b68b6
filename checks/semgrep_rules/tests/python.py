import jwt
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


def claims(token, key):
    # ruleid: python-jwt-decode-without-verification
    unverified = jwt.decode(token, options={"verify_signature": False})
    # ruleid: python-jwt-decode-without-verification
    legacy = jwt.decode(token, key, verify=False)
    # ok: python-jwt-decode-without-verification
    verified = jwt.decode(token, key, algorithms=["HS256"])
    return unverified, legacy, verified


# ruleid: python-django-csrf-exempt
@csrf_exempt
def webhook(request):
    return HttpResponse("ok")


# ok: python-django-csrf-exempt
def form(request):
    return HttpResponse("ok")
