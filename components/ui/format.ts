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
const monthYear = new Intl.DateTimeFormat("en-GB", {
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
/** A calendar month given as "YYYY-MM" (UTC), named: "November 2026". */
export const monthName = (month: string) => monthYear.format(new Date(`${month}-01T00:00:00Z`));
