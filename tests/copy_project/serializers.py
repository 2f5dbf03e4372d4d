from rest_framework import serializers

from .models import Article, Tag


class ArticleSerializer(serializers.HyperlinkedModelSerializer):
    tags = serializers.SlugRelatedField(
        slug_field="name", many=True, queryset=Tag.objects.all(), required=False
    )
    is_starred = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["url", "id", "title", "tags", "is_starred"]

    def get_is_starred(self, article: Article) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and article.starred_by.filter(pk=user.pk).exists()
