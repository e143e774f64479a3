-- The customer list's name search reads customers_name_id_idx (lower(name) collate "C", id,
-- INCLUDE …, migration 0049), and the duplicate-name check's lower(name) = … reads
-- customers_name_lower_idx: nothing reads this one any more, and every customer write kept it.
DROP INDEX IF EXISTS control.customers_name_prefix_idx;
