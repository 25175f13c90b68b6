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


def parse_feed(body):
    import io
    import xml.sax
    from xml.sax.handler import feature_external_ges

    parser = xml.sax.make_parser()
    # ruleid: python-xxe-sax-external-entities
    parser.setFeature(feature_external_ges, True)
    parser.parse(io.BytesIO(body))
    default = xml.sax.make_parser()
    # ok: python-xxe-sax-external-entities
    default.parse(io.BytesIO(body))


def count_skus(body):
    import xml.sax
    from xml.dom import pulldom
    from xml.sax.handler import feature_external_ges

    parser = xml.sax.make_parser()
    # ruleid: python-xxe-sax-external-entities
    parser.setFeature(feature_external_ges, True)
    events = pulldom.parseString(body, parser)
    # ok: python-xxe-sax-external-entities
    plain = pulldom.parseString(body)
    return events, plain


def load_timetable(upload):
    import xml.sax
    from xml.sax.handler import ContentHandler, feature_external_ges

    reader = xml.sax.make_parser()
    reader.setContentHandler(ContentHandler())
    # ruleid: python-xxe-sax-external-entities
    reader.setFeature(feature_external_ges, True)
    reader.parse(upload)
    hardened = xml.sax.make_parser()
    # ok: python-xxe-sax-external-entities
    hardened.setFeature(feature_external_ges, False)
    hardened.parse(upload)


def events_from_feed(payload):
    import xml.sax
    from xml.dom import pulldom

    reader = xml.sax.make_parser()
    # ruleid: python-xxe-sax-external-entities
    reader.setFeature("http://xml.org/sax/features/external-general-entities", True)
    stream = pulldom.parseString(payload, reader)
    plain = xml.sax.make_parser()
    # ok: python-xxe-sax-external-entities
    plain.setFeature("http://xml.org/sax/features/external-general-entities", False)
    return stream, pulldom.parseString(payload, plain)
