{{- define "kro.name" -}}kro{{- end -}}

{{- define "kro.labels" -}}
app.kubernetes.io/name: kro
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: kro
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kro.selectorLabels" -}}
app.kubernetes.io/name: kro
app: kro-controller
{{- end -}}

{{- define "kro.serviceAccountName" -}}
{{- default "kro-controller" .Values.serviceAccount.name -}}
{{- end -}}

{{- define "kro.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* config.featureGates as the flag's value: a map (gate → bool, sorted by name) or a string as is. */}}
{{- define "kro.featureGates" -}}
{{- $gates := .Values.config.featureGates -}}
{{- if kindIs "map" $gates -}}
{{- $pairs := list -}}
{{- range $name, $on := $gates -}}
{{- if not (kindIs "bool" $on) -}}
{{- fail (printf "config.featureGates.%s must be true or false, not %v" $name $on) -}}
{{- end -}}
{{- $pairs = append $pairs (printf "%s=%t" $name $on) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- else if $gates -}}
{{- $gates -}}
{{- end -}}
{{- end -}}
