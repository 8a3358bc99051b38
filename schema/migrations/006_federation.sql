-- reserved
SELECT 1;
