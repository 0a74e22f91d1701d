#include "state/platform/event_store.h"

#include "state/sql/where_clause.h"
#include "state/store_json.h"

namespace wharf::state {

Status EventStore::Insert(const Event& e) {
  return tx_.Run(
      "INSERT INTO events (guid, type, actor_guid, actor_name, target_type, target_guid, target_name, space_guid, "
      "data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.guid, e.type, e.actor_guid, e.actor_name, e.target_type, e.target_guid, e.target_name, e.space_guid,
      DumpJsonColumn(e.data), e.created_at);
}

Result<Page<Event>> EventStore::List(const EventFilter& filter, const PageRequest& page) {
  WhereClause where;
  if (filter.target_guid) where.Equals("target_guid", *filter.target_guid);
  if (filter.type) where.Equals("type", *filter.type);
  if (!filter.types.empty()) where.In("type", filter.types);
  if (filter.space_guids) where.In("space_guid", *filter.space_guids);
  WHARF_ASSIGN_OR_RETURN(std::int64_t total, FetchInt(where.Prepare(tx_, "SELECT COUNT(*) FROM events", "")));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Event>(
      where.Prepare(tx_,
                    "SELECT guid, type, actor_guid, actor_name, target_type, target_guid, target_name, space_guid, "
                    "data, created_at FROM events",
                    " ORDER BY id DESC LIMIT ? OFFSET ?", {page.per_page, page.Offset()}),
      [](Statement& st) -> Result<Event> {
        Event e;
        e.guid = st.Text(0);
        e.type = st.Text(1);
        e.actor_guid = st.OptionalText(2);
        e.actor_name = st.Text(3);
        e.target_type = st.Text(4);
        e.target_guid = st.Text(5);
        e.target_name = st.Text(6);
        e.space_guid = st.OptionalText(7);
        Result<nlohmann::json> data = ParseJsonColumn(st.Text(8), "data of event " + e.guid);
        if (!data.ok()) return data.status();
        e.data = std::move(data).value();
        e.created_at = st.Text(9);
        return e;
      }));
  return Page<Event>{std::move(items), total};
}

}  // namespace wharf::state

namespace wharf::state {

Result<Page<Event>> ListEvents(Database& db, const EventFilter& filter, const PageRequest& page) {
  return db.Read<Page<Event>>([&](Tx& tx) { return EventStore(tx).List(filter, page); });
}

}  // namespace wharf::state
