-- Accounts carry a sales territory (it decides which reps see them).
ALTER TABLE accounts ADD COLUMN territory TEXT;
