from django.http import HttpResponse


def area_list(request):
    return HttpResponse("areas")
