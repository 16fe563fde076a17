from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def search(request):
    return HttpResponse("search")


def organization_detail(request, pk: int):
    return HttpResponse("detail")
