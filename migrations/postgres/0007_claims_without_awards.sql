-- Claims left without their award by an evaluation that died between the two (claims and
-- awards were written apart before 0006): each such claim goes and its learner is marked for
-- evaluation, so the badge is issued as the rule says. Safe to run again: it only touches
-- claims that have no award.
INSERT INTO evaluation_queue (learner_email, marked_at, generation, attempts)
SELECT c.recipient_email, MIN(c.claimed_at), 1, 0 FROM award_claims c
WHERE NOT EXISTS (SELECT 1 FROM awards a WHERE a.id = c.award_id)
GROUP BY c.recipient_email
ON CONFLICT (learner_email) DO UPDATE SET generation = evaluation_queue.generation + 1;
DELETE FROM award_claims WHERE NOT EXISTS (SELECT 1 FROM awards a WHERE a.id = award_claims.award_id);
