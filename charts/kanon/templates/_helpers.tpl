{{/* Names, labels and the image shared by every template of the chart. */}}

{{- define "kanon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kanon.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kanon.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "kanon.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "kanon.labels" -}}
app.kubernetes.io/name: {{ include "kanon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: kanon
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ include "kanon.chart" . }}
{{- end -}}

{{- define "kanon.admissionController.name" -}}
{{- printf "%s-admission-controller" (include "kanon.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kanon.admissionController.selectorLabels" -}}
app.kubernetes.io/component: admission-controller
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: kanon
{{- end -}}

{{- define "kanon.admissionController.labels" -}}
{{ include "kanon.labels" . }}
app.kubernetes.io/component: admission-controller
{{- end -}}

{{- define "kanon.admissionController.serviceAccountName" -}}
{{- default (include "kanon.admissionController.name" .) .Values.admissionController.rbac.serviceAccount.name -}}
{{- end -}}

{{/* The webhook Service; kanon serve writes it into clientConfig.service. */}}
{{- define "kanon.admissionController.serviceName" -}}
{{- printf "%s-svc" (include "kanon.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret kanon serve keeps its CA and serving certificate in. */}}
{{- define "kanon.admissionController.tlsSecretName" -}}
{{- printf "%s.%s.svc.kanon-tls" (include "kanon.admissionController.serviceName" .) (include "kanon.namespace" .) -}}
{{- end -}}

{{- define "kanon.config.name" -}}
{{- default (include "kanon.fullname" .) .Values.config.name -}}
{{- end -}}

{{- define "kanon.image" -}}
{{- $img := .Values.image -}}
{{- $ref := $img.repository -}}
{{- with $img.registry }}{{ $ref = printf "%s/%s" . $ref }}{{ end -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $ref $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (default .Chart.AppVersion $img.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "kanon.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The resourceFilters ConfigMap value: config.resourceFilters minus
resourceFiltersExclude and the namespaces of
resourceFiltersExcludeNamespaces, plus resourceFiltersInclude and
resourceFiltersIncludeNamespaces, each rendered through tpl and joined.
*/}}
{{- define "kanon.config.resourceFilters" -}}
{{- $c := .Values.config -}}
{{- $filters := list -}}
{{- range $c.resourceFilters -}}
{{- if not (has . $c.resourceFiltersExclude) -}}
{{- $filters = append $filters . -}}
{{- end -}}
{{- end -}}
{{- range $c.resourceFiltersExcludeNamespaces -}}
{{- $filters = without $filters (printf "[*/*,%s,*]" .) (printf "[*,%s,*]" .) -}}
{{- end -}}
{{- $filters = concat $filters $c.resourceFiltersInclude -}}
{{- range $c.resourceFiltersIncludeNamespaces -}}
{{- $filters = append $filters (printf "[*/*,%s,*]" .) -}}
{{- end -}}
{{- range $filters -}}
{{ tpl . $ }}
{{- end -}}
{{- end -}}

{{/*
The webhooks ConfigMap value: config.webhooks as JSON, with Kanon's
namespace added to the kubernetes.io/metadata.name NotIn expression when
config.excludeKanonNamespace is set.
*/}}
{{- define "kanon.config.webhooks" -}}
{{- $webhooks := deepCopy (.Values.config.webhooks | default dict) -}}
{{- if .Values.config.excludeKanonNamespace -}}
{{- $ns := include "kanon.namespace" . -}}
{{- $selector := $webhooks.namespaceSelector | default dict -}}
{{- $expressions := list -}}
{{- $found := false -}}
{{- range $selector.matchExpressions -}}
{{- if and (eq .key "kubernetes.io/metadata.name") (eq .operator "NotIn") (not $found) -}}
{{- $found = true -}}
{{- $expressions = append $expressions (merge (dict "values" (append (.values | default list) $ns | uniq)) .) -}}
{{- else -}}
{{- $expressions = append $expressions . -}}
{{- end -}}
{{- end -}}
{{- if not $found -}}
{{- $expressions = append $expressions (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (list $ns)) -}}
{{- end -}}
{{- $_ := set $selector "matchExpressions" $expressions -}}
{{- $_ := set $webhooks "namespaceSelector" $selector -}}
{{- end -}}
{{- toJson $webhooks -}}
{{- end -}}
