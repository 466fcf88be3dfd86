-- The queries of benchmarks/run-tables.sh as SQL, for DuckDB alone and Spark SQL (views lineitem and part over the
-- same Parquet files). Each starts with "-- query: NAME CHECK": CHECK is the column whose sum over the result rows is
-- the checksum compared across engines. The Frame API (TablesQueries.java) and Python (tables_peers.py) versions must
-- say the same.

-- query: q1 sum_charge
SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
       avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus;

-- query: q6 revenue
SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07
  AND l_quantity < 24;

-- query: groupby-100 s
SELECT l_suppkey % 100 AS k, sum(l_extendedprice) AS s FROM lineitem GROUP BY l_suppkey % 100;

-- query: groupby-partkey s
SELECT l_partkey, sum(l_quantity) AS s FROM lineitem GROUP BY l_partkey;

-- query: filter-count n
SELECT count(*) AS n FROM lineitem WHERE l_shipmode = 'AIR' AND l_quantity < 10;

-- query: join-part promo_revenue
SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
       / sum(l_extendedprice * (1 - l_discount)) AS promo_revenue
FROM lineitem JOIN part ON l_partkey = p_partkey
WHERE l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-10-01';
