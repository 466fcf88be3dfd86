{{/* Chart name. */}}
{{- define "partita.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name prefix of every resource: <release>-partita, or <release> when it already contains the chart name. */}}
{{- define "partita.fullname" -}}
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

{{- define "partita.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "partita.labels" -}}
helm.sh/chart: {{ include "partita.chart" . }}
{{ include "partita.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "partita.selectorLabels" -}}
app.kubernetes.io/name: {{ include "partita.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Names of the scheduler's resources. */}}
{{- define "partita.scheduler.fullname" -}}
{{- printf "%s-scheduler" (include "partita.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "partita.scheduler.headless" -}}
{{- printf "%s-scheduler-headless" (include "partita.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "partita.worker.fullname" -}}
{{- printf "%s-worker" (include "partita.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Every scheduler, by one DNS name: the headless Service resolves to all scheduler pods (ready or not). Workers and
in-cluster clients are given it with the API port and try the schedulers in turn (a standby refuses them); the
schedulers join each other's Hazelcast cluster through it.
*/}}
{{- define "partita.scheduler.dnsName" -}}
{{- printf "%s.%s.svc" (include "partita.scheduler.headless" .) .Release.Namespace }}
{{- end }}

{{- define "partita.scheduler.address" -}}
{{- printf "%s:%v" (include "partita.scheduler.dnsName" .) .Values.scheduler.ports.api }}
{{- end }}

{{- define "partita.clusterName" -}}
{{- default (include "partita.fullname" .) .Values.scheduler.clusterName }}
{{- end }}

{{- define "partita.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{- define "partita.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "partita.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the cluster token. */}}
{{- define "partita.auth.secretName" -}}
{{- default (printf "%s-auth" (include "partita.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/* PARTITA_AUTH_TOKEN from the Secret, for the scheduler and the workers (when auth.enabled). */}}
{{- define "partita.auth.env" -}}
- name: PARTITA_AUTH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "partita.auth.secretName" . }}
      key: {{ .Values.auth.existingSecretKey }}
{{- end }}

{{/* The Secret holding the cluster secret, which seals the schedulers' Hazelcast state. */}}
{{- define "partita.clusterSecret.secretName" -}}
{{- default (printf "%s-cluster-secret" (include "partita.fullname" .)) .Values.clusterSecret.existingSecret }}
{{- end }}

{{/* Where the scheduler pods see the cluster secret (--cluster-secret-file): a read-only Secret volume. */}}
{{- define "partita.clusterSecret.dir" -}}
/etc/partita/cluster-secret
{{- end }}

{{- define "partita.clusterSecret.file" -}}
{{- printf "%s/secret" (include "partita.clusterSecret.dir" .) }}
{{- end }}

{{/* The address announced to the others: the pod's IP (the image's entry point reads PARTITA_HOST). */}}
{{- define "partita.podEnv" -}}
- name: PARTITA_HOST
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end }}

{{/* A probe on /health of the named port: the values' probe fields without "enabled". */}}
{{- define "partita.probe" -}}
httpGet:
  path: /health
  port: {{ .port }}
{{ omit .probe "enabled" | toYaml }}
{{- end }}
