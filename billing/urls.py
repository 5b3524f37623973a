from django.urls import path

from . import views

urlpatterns = [
    path("stripe/webhook", views.stripe_webhook, name="billing-stripe-webhook"),
    path("checkout/<int:package_id>", views.checkout, name="billing-checkout"),
    path("checkout/done", views.checkout_done, name="billing-checkout-done"),
]
