"""学びの場: learning opportunities (publishing, finding), enrolment and completion (which awards the
opportunity's badge through the credentials' issuing path)."""
