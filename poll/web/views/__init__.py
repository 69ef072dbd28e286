"""HTTP handlers by audience: attendees (`vote`), the projector (`screen`), the moderator
(`moderate`, `new`, `downloads`), organisers (`admin`), afterwards (`archive`), machines (`api`)."""
