"""Invitations: an iCalendar file (icalendar) and an e-mail over SMTP. Neither holds anything
about the family: the title is "Netwerkbijeenkomst" and a reference, the rest is behind login.
Calendar files name professionals only; a family member's own invitation names that member
alone (RFC 5546 §3.2.2: a REQUEST needs one ATTENDEE or more, not all of them)."""

import base64
import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from html import escape
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from broker.clock import LEGAL_ZONE, now
from broker.config import Settings
from broker.mail.transport import plain_message
from broker.meetings.zone import vtimezone

SUMMARY = "Netwerkbijeenkomst"
PARTSTAT = {None: "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED",
            "tentative": "TENTATIVE"}


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None  # professionals only; never a family member's name
    required: bool
    rsvp: str | None
    family: bool = False  # named only in the calendar file sent to this member


@dataclass(frozen=True)
class Invitation:
    uid: str
    reference: str
    sequence: int
    start: datetime
    minutes: int
    location: str
    link: str
    organiser: Attendee  # the regisseur's name at the broker's own address
    attendees: list[Attendee]
    cancelled: bool = False
    # Each professional's copy names the broker's address with a token as ORGANIZER, so their
    # calendar's answer comes back to the broker and proves whose it is (`reply_address`).
    replies: Mapping[str, str] = field(default_factory=dict)


def calendar(invitation: Invitation, *, to: Attendee | None = None) -> bytes:
    """METHOD:REQUEST (or CANCEL), stable UID, SEQUENCE, ORGANIZER and ATTENDEEs with
    PARTSTAT, a reminder the day before, times in Europe/Amsterdam with its VTIMEZONE. The
    ATTENDEEs are the professionals, or, in the copy for a family member (`to`), that member
    alone; every copy of one version has the same UID and SEQUENCE. A professional's copy
    has their own reply address as ORGANIZER."""
    return _calendar([(invitation, _named(invitation, to))], method(invitation),
                     family=to is not None and to.family,
                     organiser=invitation.replies.get(to.email) if to else None)


def feed(invitations: list[Invitation]) -> bytes:
    """A professional's calendar feed: every meeting of theirs, published (no METHOD)."""
    return _calendar([(i, _named(i, None)) for i in invitations], None)


def _named(invitation: Invitation, to: Attendee | None) -> list[Attendee]:
    """Who a calendar file names: a family member only in their own copy."""
    if to is not None and to.family:
        return [to]
    return [a for a in invitation.attendees if not a.family]


def _calendar(events: list[tuple[Invitation, list[Attendee]]], method: str | None, *,
              family: bool = False, organiser: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Gemeente//broker//NL")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    cal.add_component(vtimezone(str(LEGAL_ZONE)))
    for invitation, attendees in events:
        cal.add_component(_event(invitation, attendees, family=family, organiser=organiser))
    return bytes(cal.to_ical())


def _event(invitation: Invitation, attendees: list[Attendee], *, family: bool,
           organiser: str | None) -> Event:
    """A family member's copy has no link to the professionals' page (they cannot log in
    there) and asks no calendar reply (the broker receives none): they answer the regisseur."""
    event = Event()
    start = invitation.start.astimezone(ZoneInfo(str(LEGAL_ZONE)))
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", now())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=invitation.minutes))
    event.add("summary", f"{SUMMARY} {invitation.reference}")
    if family:
        event.add("description", f"Referentie {invitation.reference}. Vragen of verhinderd? "
                                 "Neem contact op met uw regisseur.")
    else:
        event.add("description", f"Referentie {invitation.reference}. Na inloggen: "
                                 f"{invitation.link}")
        event.add("url", invitation.link)
    event.add("location", invitation.location)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    event.add("organizer", _address(invitation.organiser,
                                    organiser=organiser or invitation.organiser.email))
    for attendee in attendees:
        event.add("attendee", _address(attendee, rsvp=not family), encode=False)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{SUMMARY} {invitation.reference}")
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def _address(person: Attendee, *, organiser: str | None = None, rsvp: bool = True
             ) -> vCalAddress:
    address = vCalAddress(f"mailto:{organiser or person.email}")
    if person.name and not person.family:
        address.params["cn"] = vText(person.name)
    if not organiser:
        address.params["role"] = vText("REQ-PARTICIPANT" if person.required
                                       else "OPT-PARTICIPANT")
        address.params["partstat"] = vText(PARTSTAT.get(person.rsvp, "NEEDS-ACTION"))
        address.params["rsvp"] = vText("TRUE" if rsvp else "FALSE")
    return address


def method(invitation: Invitation) -> str:
    return "CANCEL" if invitation.cancelled else "REQUEST"


def messages(settings: Settings, invitation: Invitation) -> Iterator[EmailMessage]:
    """One message per attendee (a family member's calendar naming only them). Each is
    multipart/alternative: text, HTML and `text/calendar; method=...`, the shape calendar
    clients (Outlook too) show as a meeting with Accept and Decline rather than as an
    attached file."""
    when = invitation.start.astimezone(LEGAL_ZONE).strftime("%d-%m-%Y %H:%M")
    for attendee in invitation.attendees:
        text = _body(invitation, when, family=attendee.family)
        message = plain_message(
            settings, attendee.email,
            f"Geannuleerd: {SUMMARY} {invitation.reference}" if invitation.cancelled
            else f"{SUMMARY} {invitation.reference}", text)
        message.add_alternative(_html(text), subtype="html", charset="utf-8")
        message.add_alternative(calendar(invitation, to=attendee).decode(),
                                subtype="calendar", charset="utf-8",
                                params={"method": method(invitation)})
        yield message


def _html(text: str) -> str:
    """The text as HTML paragraphs, a line that is a link made a link."""
    paragraphs = []
    for paragraph in text.strip().split("\n\n"):
        lines = [f'<a href="{escape(line)}">{escape(line)}</a>' if line.startswith("http")
                 else escape(line) for line in paragraph.split("\n")]
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return ('<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>'
            f"{SUMMARY}</title></head><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n")


def _body(invitation: Invitation, when: str, *, family: bool) -> str:
    if invitation.cancelled:
        return (f"De netwerkbijeenkomst met referentie {invitation.reference} op {when} gaat "
                "niet door.\n")
    invited = (f"U bent uitgenodigd voor een netwerkbijeenkomst (referentie "
               f"{invitation.reference}).\n\nWanneer: {when}\nWaar: {invitation.location}\n\n")
    if family:  # the professionals' page needs a login a family member does not have
        return invited + "Vragen, of kunt u niet komen? Neem contact op met uw regisseur.\n"
    return invited + (f"Om wie het gaat en wat u vooraf mag weten, ziet u na inloggen:\n"
                      f"{invitation.link}\n\nGeef in uw agenda aan of u komt.\n")


def reply_address(sender: str, key: bytes, uid: str, email: str) -> str:
    """The broker's address with a token for one attendee of one meeting: `broker+token@...`.
    Only that attendee's copy carries it, so an answer sent there is theirs."""
    local, _, domain = sender.rpartition("@")
    digest = hmac.new(key, f"{uid}\x00{email.lower()}".encode(),
                      hashlib.sha256).digest()
    token = base64.b32encode(digest[:15]).decode().lower()
    return f"{local}+{token}@{domain}"


@dataclass(frozen=True)
class CalendarReply:
    """An iTIP REPLY (RFC 5546 §3.2.3): who answered what to which meeting, and the addresses
    the message was sent to (one of them must be that attendee's reply address)."""

    uid: str
    attendee: str
    partstat: str
    sent_to: frozenset[str]


def read_reply(raw: bytes) -> CalendarReply | None:
    """The REPLY in a mail, or None when the mail holds none (or more than one answer, or
    is malformed in any way: anyone can send the broker mail)."""
    try:
        return _read_reply(raw)
    except Exception:  # the email and icalendar parsers raise more than ValueError
        return None


def _read_reply(raw: bytes) -> CalendarReply | None:
    message = message_from_bytes(raw, policy=policy.default)
    sent_to = frozenset(address.lower() for _, address in getaddresses(
        [str(value) for name in ("To", "Cc", "Delivered-To")
         for value in message.get_all(name) or []]))
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if part.get_content_type() not in ("text/calendar", "application/ics") \
                or not isinstance(payload, bytes):
            continue
        cal = Calendar.from_ical(payload)
        events = cal.walk("VEVENT")
        if str(cal.get("method", "")).upper() != "REPLY" or len(events) != 1:
            return None
        found = events[0].get("attendee")
        answers = found if isinstance(found, list) else [found] if found else []
        if len(answers) != 1:
            return None
        attendee = str(answers[0])
        return CalendarReply(
            uid=str(events[0].get("uid", "")),
            attendee=attendee.split(":", 1)[-1].lower() if attendee.lower().startswith(
                "mailto:") else "",
            partstat=str(answers[0].params.get("PARTSTAT", "")).upper(), sent_to=sent_to)
    return None


REMINDERS = {
    "poll": "Wilt u nog aangeven wanneer u kunt?",
    "poll_family": "Wilt u nog aangeven wanneer u kunt? Dat kan met uw persoonlijke link:",
    "poll_family_no_link": "Wilt u uw regisseur laten weten wanneer u kunt?",
    "day_before": "Morgen is de netwerkbijeenkomst.",
    "day_before_family": "Morgen is de netwerkbijeenkomst. Vragen, of kunt u niet komen? "
                         "Neem contact op met uw regisseur.",
}


def reminders(settings: Settings, to: list[str], *, reference: str, kind: str,
              link: str | None) -> list[EmailMessage]:
    """A short reminder (`kind`, one of REMINDERS) to each address, without an attachment;
    names nobody."""
    text = REMINDERS[kind]
    return [plain_message(settings, address, f"Herinnering: {SUMMARY} {reference}",
                          f"{text}\n\n{link}\n" if link else f"{text}\n")
            for address in to]
