-- pushsim results database, schema version 2 (PRAGMA user_version).
--
-- Every table, column, unit and view is documented in results/README.md. Conventions:
--   * times named *_s are simulated seconds since the start of the run (REAL); only the
--     started_at/finished_at columns of `runs` are wall-clock times (ISO 8601, UTC);
--   * sizes are octets; utilizations are fractions in [0, 1];
--   * every row of every other table belongs to one run (run_id); deleting a run deletes its
--     rows (foreign keys are enabled by the recorder on each connection).
--
-- `pushsim` creates this schema in a new database itself; it can also be created by hand:
--   sqlite3 results/mine.db < results/schema.sql
--
-- Version 2 added, to version 1: the `sweeps` table, the runs columns sweep_id, sweep_value and
-- sweep_x (last in `runs`), the pushes column call_id (last in `pushes`), the `nodes` table, the
-- runs_by_sweep index and the `sweep_points` view. pushsim migrates a version-1 database in
-- place, in one transaction, when it opens it: columns added by ALTER TABLE come last in their
-- table, which is why they are last here too.

PRAGMA user_version = 2;

-- One row per `pushsim sweep`: a parameter varied over values, each value run runs_per_value
-- times.
CREATE TABLE sweeps (
  id               INTEGER PRIMARY KEY,
  scenario         TEXT    NOT NULL,
  parameter        TEXT    NOT NULL,
  "values"         TEXT    NOT NULL CHECK (json_valid("values")),  -- JSON array of the values as given
  runs_per_value   INTEGER NOT NULL CHECK (runs_per_value >= 1),
  jobs             INTEGER NOT NULL CHECK (jobs >= 1),
  started_at       TEXT    NOT NULL,
  finished_at      TEXT,
  status           TEXT    NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'completed', 'aborted', 'failed'))
);

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  scenario         TEXT    NOT NULL,
  scenario_text    TEXT    NOT NULL,
  parameters       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
  seed             INTEGER NOT NULL,
  replication      INTEGER NOT NULL DEFAULT 0,
  program_version  TEXT    NOT NULL,
  host             TEXT    NOT NULL,
  pid              INTEGER NOT NULL,
  process_start    TEXT,
  started_at       TEXT    NOT NULL,
  finished_at      TEXT,
  sim_duration_s   REAL,
  sim_reached_s    REAL,
  status           TEXT    NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'completed', 'aborted', 'failed')),
  error            TEXT,
  sweep_id         INTEGER REFERENCES sweeps (id),  -- NULL: not part of a sweep
  sweep_value      TEXT,                            -- the varied value as given, e.g. '200/s'
  sweep_x          REAL                             -- that value as a number in base units
);
CREATE INDEX runs_by_scenario ON runs (scenario, seed, replication);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_sweep ON runs (sweep_id, sweep_x);

CREATE TABLE registrations (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  user             TEXT    NOT NULL,
  terminal         TEXT    NOT NULL,
  kind             TEXT    NOT NULL DEFAULT 'initial'
                   CHECK (kind IN ('initial', 'refresh', 'deregister')),
  start_s          REAL    NOT NULL,
  end_s            REAL,
  final_code       INTEGER CHECK (final_code IS NULL OR final_code BETWEEN 100 AND 699),
  retransmissions  INTEGER NOT NULL DEFAULT 0 CHECK (retransmissions >= 0),
  CHECK (end_s IS NULL OR end_s >= start_s)
);
CREATE INDEX registrations_by_run ON registrations (run_id, start_s);

CREATE TABLE pushes (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  push_id           INTEGER NOT NULL,
  created_s         REAL    NOT NULL,
  method            TEXT    NOT NULL,
  size_bytes        INTEGER NOT NULL CHECK (size_bytes >= 0),
  target_kind       TEXT    NOT NULL CHECK (target_kind IN ('user', 'gruu', 'all-terminals')),
  target_uri        TEXT    NOT NULL,
  terminal          TEXT,
  final_code        INTEGER CHECK (final_code IS NULL OR final_code BETWEEN 100 AND 699),
  app_status        TEXT    NOT NULL,
  response_delay_s  REAL    CHECK (response_delay_s IS NULL OR response_delay_s >= 0),
  delivery_delay_s  REAL    CHECK (delivery_delay_s IS NULL OR delivery_delay_s >= 0),
  retries           INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0),
  call_id           TEXT  -- the Call-ID of the push's request, to find it in `messages`
);
CREATE INDEX pushes_by_run_method ON pushes (run_id, method);
CREATE INDEX pushes_by_push_id ON pushes (run_id, push_id);
-- Version 2: latency percentiles and CDFs read a run's delivery delays in order.
CREATE INDEX pushes_by_delivery ON pushes (run_id, delivery_delay_s);

CREATE TABLE element_samples (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  element           TEXT    NOT NULL,
  role              TEXT    NOT NULL,
  time_s            REAL    NOT NULL,
  interval_s        REAL    NOT NULL CHECK (interval_s >= 0),
  queue_length      INTEGER NOT NULL CHECK (queue_length >= 0),
  utilization       REAL    NOT NULL CHECK (utilization >= 0),
  messages_in       INTEGER NOT NULL DEFAULT 0,
  messages_out      INTEGER NOT NULL DEFAULT 0,
  refused           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX element_samples_by_run ON element_samples (run_id, element, time_s);

-- The per-method split of an element sample's counters: one row per element, sample time and
-- method ('REGISTER', 'MESSAGE', ..., or 'response' for responses).
CREATE TABLE element_method_samples (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  element           TEXT    NOT NULL,
  time_s            REAL    NOT NULL,
  method            TEXT    NOT NULL,
  messages_in       INTEGER NOT NULL DEFAULT 0,
  messages_out      INTEGER NOT NULL DEFAULT 0,
  refused           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX element_method_samples_by_run ON element_method_samples (run_id, element, time_s);

CREATE TABLE events (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  time_s            REAL    NOT NULL,
  kind              TEXT    NOT NULL,
  element           TEXT,
  detail            TEXT
);
CREATE INDEX events_by_run ON events (run_id, kind, time_s);

CREATE TABLE messages (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  time_s            REAL    NOT NULL,
  node              TEXT    NOT NULL,
  direction         TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  peer              TEXT,
  first_line        TEXT    NOT NULL,
  call_id           TEXT,
  cseq              TEXT,
  size_bytes        INTEGER NOT NULL CHECK (size_bytes >= 0),
  text              TEXT
);
CREATE INDEX messages_by_run_time ON messages (run_id, time_s);
CREATE INDEX messages_by_call ON messages (run_id, call_id);

-- Every node that can appear in messages.node, with its IPv4 address, so that messages.peer
-- ("10.0.0.2:5060") can be mapped back to a node.
CREATE TABLE nodes (
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name              TEXT    NOT NULL,
  role              TEXT    NOT NULL,
  address           TEXT,
  PRIMARY KEY (run_id, name)
);

-- Percentiles below are nearest-rank: for n samples sorted ascending, the p-th percentile is the
-- sample at rank ceil(p * n / 100) (1-based), written (p * n + 99) / 100 in integer arithmetic.

-- Push latency per run and method: time to the final response ('response') and time to
-- delivery at the UE ('delivery'), over the pushes that have that time.
CREATE VIEW push_latency AS
WITH samples AS (
  SELECT run_id, method, 'response' AS metric, response_delay_s AS value
    FROM pushes WHERE response_delay_s IS NOT NULL
  UNION ALL
  SELECT run_id, method, 'delivery' AS metric, delivery_delay_s AS value
    FROM pushes WHERE delivery_delay_s IS NOT NULL
),
ranked AS (
  SELECT run_id, method, metric, value,
         ROW_NUMBER() OVER (PARTITION BY run_id, method, metric ORDER BY value) AS rank,
         COUNT(*) OVER (PARTITION BY run_id, method, metric) AS n
    FROM samples
)
SELECT run_id, method, metric,
       n AS samples,
       MIN(value) AS min_s,
       AVG(value) AS mean_s,
       MAX(CASE WHEN rank = (50 * n + 99) / 100 THEN value END) AS p50_s,
       MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN value END) AS p95_s,
       MAX(CASE WHEN rank = (99 * n + 99) / 100 THEN value END) AS p99_s,
       MAX(value) AS max_s
  FROM ranked
 GROUP BY run_id, method, metric;

-- Push outcome per run and method: how many pushes (rows) were accepted (TS Appendix D row 1),
-- delivered at the UE, rejected or never answered.
CREATE VIEW push_success AS
SELECT run_id, method,
       COUNT(*) AS pushes,
       SUM(app_status = 'accepted') AS accepted,
       SUM(delivery_delay_s IS NOT NULL) AS delivered,
       SUM(final_code IS NULL) AS unanswered,
       SUM(retries) AS retries,
       1.0 * SUM(app_status = 'accepted') / COUNT(*) AS success_ratio,
       1.0 * SUM(delivery_delay_s IS NOT NULL) / COUNT(*) AS delivery_ratio
  FROM pushes
 GROUP BY run_id, method;

-- Registration Request Delay (RFC 6076 4.1) per run: end_s - start_s of the successful (2xx)
-- REGISTER attempts, with the count of Ineffective Registration Attempts (RFC 6076 4.2: a
-- failure response or none at all).
CREATE VIEW registration_delay AS
WITH ranked AS (
  SELECT run_id, end_s - start_s AS value,
         ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY end_s - start_s) AS rank,
         COUNT(*) OVER (PARTITION BY run_id) AS n
    FROM registrations
   WHERE final_code BETWEEN 200 AND 299 AND end_s IS NOT NULL
),
delays AS (
  SELECT run_id, n,
         MIN(value) AS min_s,
         AVG(value) AS mean_s,
         MAX(CASE WHEN rank = (50 * n + 99) / 100 THEN value END) AS p50_s,
         MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN value END) AS p95_s,
         MAX(CASE WHEN rank = (99 * n + 99) / 100 THEN value END) AS p99_s,
         MAX(value) AS max_s
    FROM ranked
   GROUP BY run_id
),
attempts AS (
  SELECT run_id,
         COUNT(*) AS attempts,
         COALESCE(SUM(final_code BETWEEN 200 AND 299), 0) AS successful,
         SUM(final_code IS NULL OR final_code >= 300) AS ineffective,
         SUM(retransmissions) AS retransmissions
    FROM registrations
   GROUP BY run_id
)
SELECT a.run_id, a.attempts, a.successful, a.ineffective, a.retransmissions,
       d.min_s, d.mean_s, d.p50_s, d.p95_s, d.p99_s, d.max_s
  FROM attempts a LEFT JOIN delays d ON d.run_id = a.run_id;

-- Registration Request Delay histogram per run: successful attempts per 10 ms bucket
-- (bucket_s is the bucket's lower bound).
CREATE VIEW registration_delay_histogram AS
-- The delay is first rounded to whole microseconds so that 0.2 s computed as 10.2 - 10.0
-- (0.19999...) falls in the 0.20 bucket.
WITH buckets AS (
  SELECT run_id, CAST(ROUND((end_s - start_s) * 1000000) AS INTEGER) / 10000 AS bucket
    FROM registrations
   WHERE final_code BETWEEN 200 AND 299 AND end_s IS NOT NULL
)
SELECT run_id, bucket / 100.0 AS bucket_s, COUNT(*) AS attempts
  FROM buckets
 GROUP BY run_id, bucket;

-- Per element and run: the peak utilization and queue length over its samples, when the
-- utilization peaked first, and the totals of its counters.
CREATE VIEW element_peaks AS
SELECT s.run_id, s.element, s.role,
       COUNT(*) AS samples,
       MAX(s.utilization) AS peak_utilization,
       (SELECT MIN(p.time_s) FROM element_samples p
         WHERE p.run_id = s.run_id AND p.element = s.element
           AND p.utilization = MAX(s.utilization)) AS peak_utilization_at_s,
       AVG(s.utilization) AS mean_utilization,
       MAX(s.queue_length) AS peak_queue_length,
       SUM(s.messages_in) AS messages_in,
       SUM(s.messages_out) AS messages_out,
       SUM(s.refused) AS refused
  FROM element_samples s
 GROUP BY s.run_id, s.element, s.role;

-- Events per run and kind.
CREATE VIEW event_counts AS
SELECT run_id, kind, COUNT(*) AS events, MIN(time_s) AS first_s, MAX(time_s) AS last_s
  FROM events
 GROUP BY run_id, kind;

-- One row per run: what ran, how it ended, and its headline figures.
CREATE VIEW run_summary AS
WITH push_totals AS (
  SELECT run_id, COUNT(*) AS pushes,
         SUM(app_status = 'accepted') AS accepted,
         SUM(delivery_delay_s IS NOT NULL) AS delivered
    FROM pushes GROUP BY run_id
),
delivery_ranked AS (
  SELECT run_id, delivery_delay_s AS value,
         ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY delivery_delay_s) AS rank,
         COUNT(*) OVER (PARTITION BY run_id) AS n
    FROM pushes WHERE delivery_delay_s IS NOT NULL
),
delivery AS (
  SELECT run_id,
         MAX(CASE WHEN rank = (50 * n + 99) / 100 THEN value END) AS p50_s,
         MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN value END) AS p95_s,
         MAX(CASE WHEN rank = (99 * n + 99) / 100 THEN value END) AS p99_s
    FROM delivery_ranked GROUP BY run_id
),
element_totals AS (
  SELECT run_id, MAX(utilization) AS peak_utilization, MAX(queue_length) AS peak_queue_length,
         SUM(refused) AS refused
    FROM element_samples GROUP BY run_id
),
event_totals AS (
  SELECT run_id, COUNT(*) AS events FROM events GROUP BY run_id
)
SELECT r.id AS run_id, r.scenario, r.seed, r.replication, r.parameters, r.status,
       r.sim_duration_s, r.sim_reached_s,
       COALESCE(g.attempts, 0) AS registrations,
       COALESCE(g.successful, 0) AS registrations_successful,
       1.0 * g.successful / g.attempts AS registration_success_ratio,
       g.p50_s AS registration_delay_p50_s,
       g.p95_s AS registration_delay_p95_s,
       g.p99_s AS registration_delay_p99_s,
       COALESCE(p.pushes, 0) AS pushes,
       COALESCE(p.accepted, 0) AS pushes_accepted,
       COALESCE(p.delivered, 0) AS pushes_delivered,
       1.0 * p.accepted / p.pushes AS push_success_ratio,
       d.p50_s AS delivery_p50_s,
       d.p95_s AS delivery_p95_s,
       d.p99_s AS delivery_p99_s,
       e.peak_utilization,
       e.peak_queue_length,
       COALESCE(e.refused, 0) AS refused,
       COALESCE(v.events, 0) AS events
  FROM runs r
  LEFT JOIN registration_delay g ON g.run_id = r.id
  LEFT JOIN push_totals p ON p.run_id = r.id
  LEFT JOIN delivery d ON d.run_id = r.id
  LEFT JOIN element_totals e ON e.run_id = r.id
  LEFT JOIN event_totals v ON v.run_id = r.id;

-- One row per run of a sweep: the value it ran with and its push figures. offered_pushes and
-- accepted_pushes count `pushes` rows (as push_success does); goodput_per_s is accepted pushes
-- per simulated second of the run (sim_reached_s, else sim_duration_s); the ratios are NULL
-- without pushes; delivery_p95_s is the nearest-rank p95 of delivery_delay_s over the delivered
-- pushes. Means and confidence intervals over the replications of a value are left to the reader
-- (the dashboard), which can choose which statuses to keep.
CREATE VIEW sweep_points AS
WITH push_totals AS (
  SELECT run_id, COUNT(*) AS offered, SUM(app_status = 'accepted') AS accepted
    FROM pushes GROUP BY run_id
),
delivery_ranked AS (
  SELECT run_id, delivery_delay_s AS value,
         ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY delivery_delay_s) AS rank,
         COUNT(*) OVER (PARTITION BY run_id) AS n
    FROM pushes WHERE delivery_delay_s IS NOT NULL
),
delivery AS (
  SELECT run_id, MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN value END) AS p95_s
    FROM delivery_ranked GROUP BY run_id
)
SELECT r.sweep_id, w.parameter, r.sweep_value, r.sweep_x,
       r.id AS run_id, r.replication, r.seed, r.status,
       COALESCE(r.sim_reached_s, r.sim_duration_s) AS sim_s,
       COALESCE(p.offered, 0) AS offered_pushes,
       COALESCE(p.accepted, 0) AS accepted_pushes,
       COALESCE(p.accepted, 0) / NULLIF(COALESCE(r.sim_reached_s, r.sim_duration_s), 0) AS goodput_per_s,
       1.0 * p.accepted / p.offered AS success_ratio,
       1.0 - 1.0 * p.accepted / p.offered AS failure_ratio,
       d.p95_s AS delivery_p95_s
  FROM runs r
  JOIN sweeps w ON w.id = r.sweep_id
  LEFT JOIN push_totals p ON p.run_id = r.id
  LEFT JOIN delivery d ON d.run_id = r.id;
