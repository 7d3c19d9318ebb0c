// HealthProbe
