// The console's number and date formats, in one place: English digits, dates in UTC.
export const number = new Intl.NumberFormat("en");
export const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
export const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
/** With seconds, where events come seconds apart (the audit log, adoption runs). */
export const dateTimeSeconds = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});
/** A calendar month, "November 2026" (UTC). */
export const monthYear = new Intl.DateTimeFormat("en-GB", {
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
