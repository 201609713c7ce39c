"""What the API reads and writes; writes go through the same services as the web forms."""

from __future__ import annotations

from rest_framework import serializers

from reflections.models import Reflection


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    location = serializers.CharField(allow_null=True)
    job_role = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())


class LogEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    verb = serializers.CharField()
    object_id = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    text = serializers.CharField()
    word_limit = serializers.IntegerField()


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    applies_to = serializers.CharField()
    questions = QuestionSerializer(many=True, source="questions.all")


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReflectionSerializer(serializers.Serializer):
    """A person's own reflection as they see it on its page."""

    id = serializers.IntegerField(source="pk", read_only=True)
    template = serializers.IntegerField(source="template_id", read_only=True)
    title = serializers.CharField(read_only=True)
    key_takeaway = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Reflection.State.choices, read_only=True)
    visibility = serializers.ChoiceField(choices=Reflection.Visibility.choices, read_only=True)
    answers = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    def get_answers(self, reflection) -> list[dict]:
        return [{"question": a.question_id, "text": a.text} for a in reflection.answers.all()]


class ReflectionDraftSerializer(serializers.Serializer):
    """The fields a draft takes; omitted fields keep what is saved."""

    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    key_takeaway = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    answers = AnswerSerializer(many=True, required=False)
    visibility = serializers.ChoiceField(choices=Reflection.Visibility.choices, required=False)


class ReflectionCreateSerializer(ReflectionDraftSerializer):
    template = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ReflectionSubmitSerializer(serializers.Serializer):
    may_be_featured = serializers.BooleanField(default=False)


class TopicSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    week_starts_on = serializers.DateField()
    signup_deadline = serializers.DateTimeField()
    meets_at = serializers.DateTimeField()
    topics = TopicSerializer(many=True, source="topics.all")
    my_topic_ids = serializers.ListField(child=serializers.IntegerField())
    my_not_this_week = serializers.BooleanField(allow_null=True)


class SignupSerializer(serializers.Serializer):
    topic_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=3
    )
    not_this_week = serializers.BooleanField(default=False)


class CafeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    theme = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    state = serializers.CharField()
    capacity = serializers.IntegerField()
    my_rsvp = serializers.CharField(allow_null=True)


class RsvpSerializer(serializers.Serializer):
    going = serializers.BooleanField()


class SnapshotSerializer(serializers.Serializer):
    month = serializers.DateField()
    version = serializers.IntegerField()
    built_at = serializers.DateTimeField()
    headlines = serializers.ListField(child=serializers.CharField())
    report_url = serializers.CharField()
