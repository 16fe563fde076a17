from django.http import HttpResponse


def organization_list(request):
    return HttpResponse("list")


def organization_file_view(request):
    return HttpResponse("file")


def organization_detail(request, pk):
    return HttpResponse("detail")


def organization_edit(request, pk):
    return HttpResponse("edit")


def import_start(request):
    return HttpResponse("import")
