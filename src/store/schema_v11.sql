-- Schema v11 (issue 15, towns checked against a list): the county's towns (乡镇名单). An
-- entity's 乡镇 typed in an import or `entities set` must be one of them; the list is
-- edited with a logged reason (`settings town-add` / `town-remove`).
--
-- (Numbered 11 on its branch: version 10 is another branch's. Until they are merged this
-- file is the tenth migration in the list.)
--
-- Every database starts with 阳城县's 17 townships (10 镇, 7 乡): a new one made by
-- `init --empty` or `init --demo`, and one made before this version when it is opened.
-- Entities already stored keep their town even if it is not listed; only a town typed anew
-- is checked.
CREATE TABLE towns (
    name TEXT PRIMARY KEY
) STRICT;

INSERT INTO towns (name) VALUES
    ('凤城镇'), ('北留镇'), ('润城镇'), ('町店镇'), ('芹池镇'), ('次营镇'), ('横河镇'),
    ('河北镇'), ('蟒河镇'), ('东冶镇'), ('白桑乡'), ('寺头乡'), ('西河乡'), ('演礼乡'),
    ('固隆乡'), ('董封乡'), ('驾岭乡');
