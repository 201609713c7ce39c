"""What an audit entry's action code means, in the words an officer uses.

Services record short stable codes ("feedback.contribution_hide") so the trail can be filtered
and counted; people read "Hid a contribution". The codes are the apps' own, listed here as
plain strings (core imports no app); a code missing from the list still reads as words.
"""

from __future__ import annotations

AUDIT_ACTIONS: dict[str, str] = {
    # core
    "company_signin.connected": "Connected a company account at sign-in",
    "company_signin.refused": "Refused a company sign-in",
    "company_signin.signed_up": "Made an account through company sign-in",
    "enrolment.withdrawn": "Withdrew an enrolment",
    "module.people_enrolled": "Enrolled people in a module",
    "org.import": "Imported the org chart",
    "person.access_changed": "Changed a person's access",
    "person.erased": "Erased a person's data",
    "person.roles_changed": "Changed a person's roles",
    "snapshot.rebuild": "Rebuilt a monthly impact snapshot",
    # feedback
    "feedback.contribution_hide": "Hid a contribution",
    "feedback.contribution_unhide": "Showed a hidden contribution again",
    "feedback.contribution_unhidden": "Showed a hidden contribution again",
    "feedback.contribution_discussed": "Marked a contribution discussed",
    "feedback.contribution_undiscussed": "Marked a contribution not discussed",
    "feedback.contribution_highlighted": "Highlighted a contribution",
    "feedback.contribution_unhighlighted": "Took the highlight off a contribution",
    "feedback.contribution_record": "Recorded a contribution on someone's behalf",
    "feedback.session_cancel": "Cancelled a feedback session",
    "feedback.session_close": "Closed a feedback session",
    "feedback.session_open": "Opened a feedback session",
    "feedback.session_schedule": "Scheduled a feedback session",
    "feedback.session_update": "Changed a feedback session",
    "feedback.suggestion_hide": "Hid a suggestion",
    # circles
    "circles.attendance_record": "Recorded a circle's attendance",
    "circles.circle_lock": "Locked or unlocked a circle",
    "circles.learning_hide": "Hid a circle learning",
    "circles.membership_move": "Moved someone to another circle",
    "circles.round_cancel": "Called off a week's circles",
    "circles.round_form": "Formed a week's circles",
    "circles.round_open": "Opened a week's circle sign-up",
    "circles.round_publish": "Published a week's circles",
    "circles.round_update": "Changed a week's circle round",
    "circles.topic_create": "Added a circle topic",
    # cafés
    "cafes.agenda_update": "Reordered a café's agenda",
    "cafes.cafe_cancel": "Cancelled a knowledge café",
    "cafes.cafe_create": "Created a knowledge café",
    "cafes.cafe_draft": "Drafted next month's knowledge café",
    "cafes.cafe_mark_held": "Marked a knowledge café held",
    "cafes.cafe_open": "Opened a knowledge café for sign-up",
    "cafes.cafe_update": "Changed a knowledge café",
    "cafes.feedback_hide": "Hid feedback on a talk",
    "cafes.feedback_moderation_view": "Read a talk's feedback to moderate it",
    "cafes.talk_accept": "Accepted a talk",
    "cafes.talk_decline": "Declined a talk",
    "cafes.talk_keep": "Kept a talk for a later café",
    "cafes.talk_practice_buddy": "Paired a speaker with a practice buddy",
    # reflections
    "reflections.comment_hide": "Hid a comment",
    "reflections.comment_unhide": "Showed a hidden comment again",
    "reflections.mentor_remind": "Reminded a mentor of waiting reflections",
    "reflections.newsletter_create": "Started a newsletter",
    "reflections.newsletter_publish": "Published a newsletter",
    "reflections.newsletter_update": "Changed a newsletter",
    "reflections.reflection_hide": "Hid a reflection",
    "reflections.reflection_unhide": "Showed a hidden reflection again",
    "reflections.report_hide": "Upheld a report and hid what was reported",
    "reflections.report_dismiss": "Dismissed a report",
    "reflections.template_create": "Created a reflection template",
    "reflections.template_new_version": "Saved a new version of a reflection template",
    "reflections.template_update": "Changed a reflection template",
}


def audit_action_text(code: str) -> str:
    """The action in words; an unlisted code reads as its own words ("Feedback: session reopen")."""
    if code in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[code]
    app, _, verb = code.rpartition(".")
    words = verb.replace("_", " ")
    return f"{app.capitalize()}: {words}" if app else words.capitalize()
