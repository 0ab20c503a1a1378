{{/*
The Pod Security policies are data: policies/<level>/<name>.yaml hold the
title, description and rules (message and check) of each policy, written as
plain YAML without template syntax. "kanon-policies.policy" turns one of them
into a ClusterPolicy with the chart's values applied.
*/}}

{{- define "kanon-policies.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kanon-policies.labels" -}}
app.kubernetes.io/name: {{ include "kanon-policies.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: kanon
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- with .Values.customLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
"true" when the policy (dict name, level, root) is installed with the
selected podSecurityStandard.
*/}}
{{- define "kanon-policies.enabled" -}}
{{- $v := .root.Values -}}
{{- $std := $v.podSecurityStandard -}}
{{- if eq $std "custom" -}}
{{- has .name $v.podSecurityPolicies -}}
{{- else if eq .level "baseline" -}}
{{- or (eq $std "baseline") (eq $std "restricted") -}}
{{- else -}}
{{- or (eq $std "restricted") (and (eq $std "baseline") (has .name $v.includeRestrictedPolicies)) -}}
{{- end -}}
{{- end -}}

{{/* Audit or Enforce, whatever the case the value was written in. */}}
{{- define "kanon-policies.action" -}}
{{- . | toString | lower | title -}}
{{- end -}}

{{/*
One Pod Security ClusterPolicy. Takes (dict "def" <parsed policies/ file>
"level" "baseline|restricted" "root" $). Every rule matches Pods (autogen
adds the Pod controllers), skips DELETE requests, and gets the exclude,
preconditions and failure action the values ask for.
*/}}
{{- define "kanon-policies.policy" -}}
{{- $v := .root.Values -}}
{{- $name := .def.name -}}
{{- $annotations := dict
  "policies.kyverno.io/title" .def.title
  "policies.kyverno.io/category" (printf "Pod Security Standards (%s)" (title .level))
  "policies.kyverno.io/severity" (index $v.podSecuritySeverityByPolicy $name | default $v.podSecuritySeverity)
  "policies.kyverno.io/subject" "Pod"
  "policies.kyverno.io/description" .def.description -}}
{{- with $v.autogenControllers }}
{{- $_ := set $annotations "pod-policies.kyverno.io/autogen-controllers" . }}
{{- end }}
{{- $annotations = merge $annotations $v.customAnnotations -}}
{{- $extra := index $v.policyPreconditions $name | default dict -}}
{{- $preconditions := dict "all" (concat (list (dict "key" "{{ request.operation || 'BACKGROUND' }}" "operator" "NotEquals" "value" "DELETE")) ($extra.all | default list)) -}}
{{- with $extra.any }}
{{- $_ := set $preconditions "any" . }}
{{- end }}
{{- $overrides := list -}}
{{- range (hasKey $v.validationFailureActionOverrides $name | ternary (index $v.validationFailureActionOverrides $name) $v.validationFailureActionOverrides.all) }}
{{- $overrides = append $overrides (merge (dict "action" (include "kanon-policies.action" .action)) (omit . "action")) }}
{{- end }}
{{- $rules := list -}}
{{- range .def.rules }}
{{- $validate := merge (dict "failureAction" (include "kanon-policies.action" (index $v.validationFailureActionByPolicy $name | default $v.validationFailureAction))) .validate -}}
{{- with $overrides }}
{{- $_ := set $validate "failureActionOverrides" . }}
{{- end }}
{{- $rule := dict "name" .name "match" (dict "any" (list (dict "resources" (dict "kinds" (list "Pod"))))) "preconditions" $preconditions "validate" $validate -}}
{{- with index $v.policyExclude $name }}
{{- $_ := set $rule "exclude" . }}
{{- end }}
{{- $rules = append $rules $rule }}
{{- end -}}
{{- $metadata := dict "name" $name "labels" (include "kanon-policies.labels" .root | fromYaml) "annotations" $annotations -}}
{{- $spec := dict "background" $v.background "webhookConfiguration" (dict "failurePolicy" $v.failurePolicy) "rules" $rules -}}
{{- toYaml (dict "apiVersion" "kyverno.io/v1" "kind" "ClusterPolicy" "metadata" $metadata "spec" $spec) -}}
{{- end -}}
