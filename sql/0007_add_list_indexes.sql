-- Indexes for the lists (issue 6: every page fast at 100,000 sites,
-- 1,000,000 tasks and 10,000,000 log lines). docs/queries.md says which
-- page's query uses which index. Every statement can run again after a
-- failure half way.

-- Sites: /sites shows 50 live sites a page in domain order, starting after
-- the previous page's last domain (keyset pagination, no OFFSET). However it
-- is filtered, an index gives the page as one range read in order, without
-- sorting: all live sites (sites_domain_live, made in 0002), one status, one
-- platform, one client (a client user's sites are read client by client).
-- live (1, or NULL when deleted) comes before the domain, so the range holds
-- live sites only, and counting a platform's or a client's live sites reads
-- the index alone. The platform's and the client's indexes replace those on
-- platform_id and client_id alone (the foreign keys use the new ones).
ALTER TABLE sites ADD KEY IF NOT EXISTS sites_status_live_domain (status, live, domain);
ALTER TABLE sites ADD KEY IF NOT EXISTS sites_platform_live_domain (platform_id, live, domain);
ALTER TABLE sites ADD KEY IF NOT EXISTS sites_client_live_domain (client_id, live, domain);
ALTER TABLE sites DROP KEY IF EXISTS sites_platform;
ALTER TABLE sites DROP KEY IF EXISTS sites_client;

-- Tasks: a client user sees the tasks on their clients' sites. Which client
-- a task is for was a join through sites, and no index can give "the newest
-- tasks of client C" that way: the task list and the dashboard read every
-- task of every site of the client (two to three seconds for a client of
-- 99,000 sites). A site's tasks now carry its client (set when the task is
-- stored, changed with the site's client); other tasks have none.
-- tasks_client gives a client's tasks newest first (the primary key is the
-- index's last part), tasks_client_state counts them by state.
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS client_id BIGINT UNSIGNED NULL AFTER entity_id;
UPDATE tasks t JOIN sites s ON s.id = t.entity_id
  SET t.client_id = s.client_id
  WHERE t.entity_type = 'site' AND NOT (t.client_id <=> s.client_id);
ALTER TABLE tasks ADD KEY IF NOT EXISTS tasks_client (client_id);
ALTER TABLE tasks ADD KEY IF NOT EXISTS tasks_client_state (client_id, state);
