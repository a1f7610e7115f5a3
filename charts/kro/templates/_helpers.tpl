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
