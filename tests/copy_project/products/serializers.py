from rest_framework import serializers

from .models import Label, Maker, Product


class MakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Maker
        fields = ["id", "name"]


class ProductSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="product-detail")
    maker = MakerSerializer(read_only=True)
    labels = serializers.SlugRelatedField(
        slug_field="name", many=True, queryset=Label.objects.all(), required=False
    )
    is_saved = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["url", "id", "name", "maker", "labels", "is_saved"]

    def get_is_saved(self, product: Product) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and product.saved_by.filter(pk=user.pk).exists()
