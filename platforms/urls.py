app_name = "platforms"
urlpatterns: list = []
