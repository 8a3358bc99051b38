-- Settlement follow-ups (reserved; filled in by the payments work).
SELECT 1;
