"""debate-poll: live debates on statements: projector, phones, moderator, archive."""
