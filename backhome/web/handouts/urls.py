from django.urls import path

from backhome.web.handouts import views

app_name = "handouts"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("pair/<str:token>/", views.pair, name="pair"),
]
