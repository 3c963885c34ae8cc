-- The search index gets prefix indexes for words' first one, two and three characters, and
-- keeps which column a word is in but not its positions (the search never asks for phrases).
-- A search as the user types ("s", "sc", "sch") then reads one stored list instead of merging
-- the lists of every word with that beginning (tens of thousands of names in a large replica,
-- tens of milliseconds each keystroke). The triggers of 0006 write to it by name, unchanged;
-- the entries keep their keys.
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    title,
    detail,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3',
    detail = column
);

-- What the replica already holds (as 0005 filled it).
INSERT INTO search (rowid, title, detail)
    SELECT k.id, a.name, concat_ws(' ', a.city, a.email, a.phone, a.vat_id, a.territory)
      FROM search_keys k JOIN accounts a ON a.id = k.ref WHERE k.kind = 'account';
INSERT INTO search (rowid, title, detail)
    SELECT k.id, c.name, concat_ws(' ', c.email, c.phone)
      FROM search_keys k JOIN contacts c ON c.id = k.ref WHERE k.kind = 'contact';
INSERT INTO search (rowid, title, detail)
    SELECT k.id,
           CASE d.kind WHEN 'deal' THEN json_extract(d.data, '$.data.name') ELSE json_extract(d.data, '$.data.company') END,
           CASE d.kind WHEN 'deal' THEN concat_ws(' ', json_extract(d.data, '$.data.stage'), json_extract(d.data, '$.data.owner'))
                       ELSE concat_ws(' ', json_extract(d.data, '$.data.person'), json_extract(d.data, '$.data.email'),
                                      json_extract(d.data, '$.data.phone'), json_extract(d.data, '$.data.city')) END
      FROM search_keys k JOIN docs d ON d.id = k.ref WHERE k.kind IN ('deal', 'lead');
