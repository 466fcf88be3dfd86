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

{{/*
The address announced to the others: the pod's IP (the image's entry point reads PARTITA_HOST). With TLS, the
entry point turns it into the pod's DNS name (a-b-c-d.<namespace>.pod.<clusterDomain>), which the release's
certificate names by a wildcard: an IP cannot be known when the certificate is issued.
*/}}
{{- define "partita.podEnv" -}}
- name: PARTITA_HOST
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- if .Values.tls.enabled }}
- name: PARTITA_POD_DNS_DOMAIN
  value: {{ include "partita.tls.podDomain" . | quote }}
{{- end }}
{{- end }}

{{/* A probe on /health of the named port: the values' probe fields without "enabled"; HTTPS under TLS. */}}
{{- define "partita.probe" -}}
httpGet:
  path: /health
  port: {{ .port }}
  {{- if .tls }}
  scheme: HTTPS
  {{- end }}
{{ omit .probe "enabled" | toYaml }}
{{- end }}

{{/* The Secret with tls.crt, tls.key and ca.crt: the chart's Certificate's, or the one given. */}}
{{- define "partita.tls.secretName" -}}
{{- if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "partita.fullname" .) }}
{{- else if .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else }}
{{- fail "tls.enabled needs tls.secretName (an existing kubernetes.io/tls Secret with ca.crt) or tls.certManager.enabled" }}
{{- end }}
{{- end }}

{{- define "partita.tls.dir" -}}
/etc/partita/tls
{{- end }}

{{- define "partita.tls.podDomain" -}}
{{- printf "%s.pod.%s" .Release.Namespace .Values.tls.clusterDomain }}
{{- end }}

{{/* Every name a pod of the release is reached by: the scheduler Services, short and long, and any pod. */}}
{{- define "partita.tls.dnsNames" -}}
{{- $ns := .Release.Namespace }}
{{- $names := list }}
{{- range (list (include "partita.scheduler.fullname" .) (include "partita.scheduler.headless" .)) }}
{{- $names = concat $names (list . (printf "%s.%s" . $ns) (printf "%s.%s.svc" . $ns) (printf "%s.%s.svc.%s" . $ns $.Values.tls.clusterDomain)) }}
{{- end }}
{{- $names = append $names (printf "*.%s" (include "partita.tls.podDomain" .)) }}
{{- toYaml (concat $names .Values.tls.extraDnsNames) }}
{{- end }}

{{/* The TLS flags of the scheduler and the workers. */}}
{{- define "partita.tls.args" -}}
- --tls-cert
- {{ include "partita.tls.dir" . }}/tls.crt
- --tls-key
- {{ include "partita.tls.dir" . }}/tls.key
- --tls-ca
- {{ include "partita.tls.dir" . }}/ca.crt
{{- if .Values.tls.clientAuth }}
- --tls-client-auth
{{- end }}
{{- end }}

{{- define "partita.tls.volumeMount" -}}
- name: tls
  mountPath: {{ include "partita.tls.dir" . }}
  readOnly: true
{{- end }}

{{- define "partita.tls.volume" -}}
- name: tls
  secret:
    secretName: {{ include "partita.tls.secretName" . }}
    items:
      - {key: tls.crt, path: tls.crt}
      - {key: tls.key, path: tls.key}
      - {key: ca.crt, path: ca.crt}
{{- end }}

{{/* How Prometheus checks a pod's certificate: the shared certificate names the scheduler Service. */}}
{{- define "partita.tls.scrape" -}}
scheme: https
tlsConfig:
  ca:
    secret:
      name: {{ include "partita.tls.secretName" . }}
      key: ca.crt
  serverName: {{ printf "%s.%s.svc" (include "partita.scheduler.fullname" .) .Release.Namespace }}
{{- end }}
