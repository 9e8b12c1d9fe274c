/** The inspector page: the event stream of requests feeds the list; a selection shows its detail. */
import type { CallbackSummary, Hello } from "../wire.js";
import { DetailPane } from "./detail.js";
import { byId } from "./dom.js";
import { CallbackList, type Filter } from "./list.js";

const detail = new DetailPane(byId("detail"));
const event = byId<HTMLSelectElement>("filter-event");
const tag = byId<HTMLSelectElement>("filter-tag");
const validity = byId<HTMLSelectElement>("filter-validity");
const list = new CallbackList(
  byId<HTMLTableSectionElement>("rows"),
  { event, tag, count: byId("count"), empty: byId("empty") },
  (summary) => void detail.show(summary),
);
const filter = (): void => list.setFilter({ event: event.value, tag: tag.value, validity: validity.value as Filter["validity"] });
for (const select of [event, tag, validity]) select.addEventListener("change", filter);

const connection = byId("connection");
const stream = new EventSource("/api/events");
stream.addEventListener("hello", (message) => {
  list.keep = (JSON.parse((message as MessageEvent<string>).data) as Hello).kept;
});
stream.addEventListener("message", (message) => list.add(JSON.parse(message.data as string) as CallbackSummary));
stream.addEventListener("open", () => {
  connection.textContent = "live";
  connection.className = "live";
});
stream.addEventListener("error", () => {
  connection.textContent = "listener stopped: reconnecting…";
  connection.className = "down";
});
