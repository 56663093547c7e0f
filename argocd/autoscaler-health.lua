-- Argo CD health of a HorizontalPodAutoscaler, for cdk8s-canary stages with autoscaling: progressing
-- until the autoscaler has seen its latest bounds and its Deployment runs at least minReplicas pods,
-- so a sync wave that raises a floor waits for it (the built-in check is healthy at once).
local hs = { status = "Progressing", message = "Waiting for the Deployment to reach minReplicas" }
local status = obj.status
if status ~= nil and status.currentReplicas ~= nil and obj.spec.minReplicas ~= nil then
  local seen = status.observedGeneration == nil or obj.metadata.generation == nil
    or status.observedGeneration >= obj.metadata.generation
  if seen and status.currentReplicas >= obj.spec.minReplicas then
    hs.status = "Healthy"
    hs.message = "At or above minReplicas"
  end
end
if status ~= nil and status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    if condition.type == "AbleToScale" and condition.status == "False" then
      hs.status = "Degraded"
      hs.message = condition.message
    end
  end
end
return hs
