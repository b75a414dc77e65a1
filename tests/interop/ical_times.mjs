// Reads an iCalendar file on stdin and prints each VEVENT's DTSTART in UTC, one per line,
// as ical.js (Mozilla's parser, used by Thunderbird) computes it from the file's VTIMEZONE.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const start = new ICAL.Event(vevent).startDate;
  console.log(start.toJSDate().toISOString());
}
