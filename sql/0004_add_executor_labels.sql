-- Which executors may run a server's jobs: one whose READY labels include
-- this label (docs/protocol.md, "Dispatch rules"); '' means any executor.
ALTER TABLE servers ADD COLUMN IF NOT EXISTS executor_label VARCHAR(64) NOT NULL DEFAULT '' AFTER ssh_port;
