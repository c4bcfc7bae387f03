{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "nogi-consent-bff.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nogi-consent-bff.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "nogi-consent-bff.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nogi-consent-bff.labels" -}}
helm.sh/chart: {{ include "nogi-consent-bff.chart" . }}
{{ include "nogi-consent-bff.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "nogi-consent-bff.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nogi-consent-bff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
  The migration Job's pods: a name of their own, so the Deployment's selector (and with it the
  Service, PodDisruptionBudget, HPA and the service's NetworkPolicy) never counts them as pods of
  the service.
*/}}
{{- define "nogi-consent-bff.migrationSelectorLabels" -}}
app.kubernetes.io/name: {{ include "nogi-consent-bff.name" . }}-migration
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migration
{{- end }}

{{- define "nogi-consent-bff.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "nogi-consent-bff.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: an existing one (recommended) or the one this chart creates. */}}
{{- define "nogi-consent-bff.secretName" -}}
{{- default (include "nogi-consent-bff.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "nogi-consent-bff.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Environment variables read from the Secret. Kept in one list so the Deployment and the
     chart-created Secret can never disagree. */}}
{{- define "nogi-consent-bff.secretKeys" -}}
NOGI_CLIENT_SECRET DATA_ENCRYPTION_KEY NATIONAL_ID_HMAC_KEY DATABASE_URL REDIS_URL
{{- end }}

{{/* The providers' secrets: read only when their provider (PROVIDERS) or mode needs them, so the
     Secret may leave them out (secretKeyRef optional). */}}
{{- define "nogi-consent-bff.optionalSecretKeys" -}}
MASKINPORTEN_PRIVATE_KEY ALTINN2_API_KEY OPENBANKING_CLIENT_SECRET OPENBANKING_QSEAL_KEY
{{- end }}

{{/* Plain settings as a map of strings; optional ones only when set, so the service's own
     defaults (and NOGI_ENV presets) apply. The service's drain comes from shutdown.drainSeconds,
     the same number the pod's grace period is built from. */}}
{{- define "nogi-consent-bff.configData" -}}
{{- range $name, $value := .Values.config }}
{{- if not (or (kindIs "invalid" $value) (and (kindIs "string" $value) (eq $value ""))) }}
{{ $name }}: {{ toString $value | quote }}
{{- end }}
{{- end }}
SHUTDOWN_DRAIN_SECONDS: {{ toString .Values.shutdown.drainSeconds | quote }}
{{- end }}

{{- define "nogi-consent-bff.secretEnv" -}}
{{- $secretName := include "nogi-consent-bff.secretName" . }}
{{- range $key := splitList " " (include "nogi-consent-bff.secretKeys" .) }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ $key }}
{{- end }}
{{- range $key := splitList " " (include "nogi-consent-bff.optionalSecretKeys" .) }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end }}

{{- define "nogi-consent-bff.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "nogi-consent-bff.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Seconds Kubernetes waits after deleting a pod before SIGKILL: the preStop sleep, then the
     application's drain after SIGTERM, then a margin. */}}
{{- define "nogi-consent-bff.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSleepSeconds .Values.shutdown.drainSeconds .Values.shutdown.marginSeconds }}
{{- end }}

{{- define "nogi-consent-bff.validate" -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- end }}

{{/* NODE_OPTIONS for a container: the value given, or heap limits derived from its memory limit
     (Mi or Gi): the old space at 75 % of it, leaving room for the young generation, code and
     buffers; an 8 MiB semi-space (V8's default on a large machine is far larger, and RSS follows
     it; the Dockerfile gives the measurements). Empty when neither is set. Call with
     (dict "nodeOptions" … "resources" …). */}}
{{- define "nogi-consent-bff.nodeOptions" -}}
{{- if .nodeOptions -}}
{{- .nodeOptions -}}
{{- else -}}
{{- $limit := toString (dig "limits" "memory" "" (.resources | default dict)) -}}
{{- $mib := 0 -}}
{{- if regexMatch "^[0-9]+Mi$" $limit -}}
{{- $mib = atoi (trimSuffix "Mi" $limit) -}}
{{- else if regexMatch "^[0-9]+Gi$" $limit -}}
{{- $mib = mul (atoi (trimSuffix "Gi" $limit)) 1024 -}}
{{- end -}}
{{- if gt $mib 0 -}}
--max-old-space-size={{ div (mul $mib 3) 4 }} --max-semi-space-size=8
{{- end -}}
{{- end -}}
{{- end }}

{{/* The service's command with node's own flags (nodeFlags, space-separated; values.schema.json
     checks their form) before the script, as a JSON list. */}}
{{- define "nogi-consent-bff.nodeCommand" -}}
{{- $argv := list "node" -}}
{{- range splitList " " . -}}
{{- if . -}}
{{- $argv = append $argv . -}}
{{- end -}}
{{- end -}}
{{- append $argv "dist/main.js" | toJson -}}
{{- end -}}
