-- reserved for search
SELECT 1;
