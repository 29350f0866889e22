-- Schema v12 (issue 12, scale): an index for the dashboard's key-entity coverage, so that it
-- is counted in SQLite instead of classifying every entity's record in Rust.
--
-- It indexes the inputs, not a class: an entity counts as key (重点, `also_key`) when it is on
-- the 重点排污单位名录 or under 排污许可重点管理, neither of which depends on the date (the
-- special class, which does, is not stored). The partial index holds only those entities, with
-- the other inputs the count needs (excluded from draws, production status) and what the list
-- of the ones not yet inspected shows (town, name), in its order.
--
-- `IF NOT EXISTS`: the last migration runs again on a database whose version was turned back.
CREATE INDEX IF NOT EXISTS entities_key ON entities (
    excluded, town, name, code, json_extract(data, '$.production')
) WHERE json_extract(data, '$.key_polluter_list') = 1
     OR json_extract(data, '$.permit_class') = '重点管理';
