-- Schema v13 (issue 11, item 3): drafts per user. A draft was kept per visit, so two members
-- of one team typing into the same result overwrote each other's text. Now each officer has
-- their own draft of a result, keyed by (visit, author); the drafts there were carry over
-- under their author.
--
-- The table keeps its name: the row binding leaves `result_drafts` out by name (a draft is
-- work in progress, not a record; see store/binding.rs `UNBOUND`).
--
-- Written to run again: the last migrations run again on a database whose version was turned
-- back, and copying a v13 table into a new one is the same as copying a v12 one.
CREATE TABLE result_drafts_v13 (
    visit_id   INTEGER NOT NULL REFERENCES visits(id),
    author     TEXT NOT NULL,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (visit_id, author)
) STRICT;

INSERT INTO result_drafts_v13 (visit_id, author, data, updated_at)
    SELECT visit_id, author, data, updated_at FROM result_drafts;

DROP TABLE result_drafts;

ALTER TABLE result_drafts_v13 RENAME TO result_drafts;
