-- reserved for the bulk import
SELECT 1;
