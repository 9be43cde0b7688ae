"""goszakaz: the platform of Kazakhstan's pilot of personalized financing of preschool places."""
