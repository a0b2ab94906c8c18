"""A seeded generator of synthetic bilingual (zh/en) Kubernetes articles.

Every file is Markdown with YAML front matter in the format ``flask import-posts`` reads
(``blogapp/importer/markdown_files.py``): title, slug, author, date (ISO 8601, +08:00),
tags, category, a first paragraph, ``<!--more-->``, ``##`` sections and one fenced
``yaml`` or ``bash`` block. The text is assembled from the vocabulary lists and sentence
templates below (written for this benchmark), so it reads like a Chinese Kubernetes blog
that mixes in English terms, without being real prose.

Document ``i`` of seed ``s`` depends only on ``(s, i)``: ``generate(100)`` yields the
first hundred documents of ``generate(10000)``, byte for byte, on any machine.
"""

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

__all__ = ["Doc", "generate", "write_corpus", "sample_queries", "AUTHORS", "CATEGORIES"]

AUTHORS = ("admin", "luffy", "zoro")
TZ = timezone(timedelta(hours=8))
FIRST_DATE = datetime(2018, 1, 1, tzinfo=TZ)
DATE_SPAN_DAYS = 365 * 7  # up to the end of 2024: every post is already published


@dataclass(frozen=True)
class Term:
    """One concept: its Chinese and English spellings (either list may be empty)."""

    zh: tuple = ()
    en: tuple = ()


def T(zh="", en=""):
    split = lambda s: tuple(p for p in s.split("|") if p)  # noqa: E731
    return Term(split(zh), split(en))


# -- vocabulary ---------------------------------------------------------------------------
# Per category: the concepts an article of that category is about.
TERMS = {
    "基础概念": [
        T("容器组", "Pod|pods"),
        T("部署", "Deployment"),
        T("副本集", "ReplicaSet"),
        T("命名空间|名字空间", "Namespace"),
        T("标签|标签选择器", "label|labels|label selector"),
        T("注解", "annotation"),
        T("配置映射|配置字典", "ConfigMap"),
        T("密钥|保密字典", "Secret"),
        T("控制循环", "control loop|reconcile loop"),
        T("声明式API|声明式配置", "declarative API"),
        T("API服务器", "kube-apiserver|API server"),
        T("", "etcd"),
        T("", "kubelet"),
        T("容器运行时", "containerd|container runtime|CRI"),
        T("自定义资源|自定义资源定义", "CRD|CustomResourceDefinition"),
        T("Operator模式", "Operator"),
        T("定时任务|批处理任务", "CronJob|Job"),
        T("守护进程集", "DaemonSet"),
        T("有状态副本集|有状态应用", "StatefulSet"),
        T("初始化容器", "init container|initContainers"),
        T("边车容器", "sidecar"),
        T("存活探针|就绪探针|启动探针", "livenessProbe|readinessProbe|startupProbe"),
        T("期望状态", "desired state"),
        T("控制器管理器", "kube-controller-manager"),
    ],
    "网络": [
        T("服务", "Service"),
        T("集群IP", "ClusterIP"),
        T("节点端口", "NodePort"),
        T("负载均衡器|负载均衡", "LoadBalancer|load balancing"),
        T("", "kube-proxy"),
        T("", "iptables"),
        T("", "IPVS|ipvs模式"),
        T("集群DNS|域名解析", "CoreDNS"),
        T("Ingress控制器|入口控制器", "Ingress|ingress-nginx|Ingress controller"),
        T("网络策略", "NetworkPolicy|network policy"),
        T("容器网络接口", "CNI"),
        T("", "Calico|BGP"),
        T("", "Flannel|VXLAN"),
        T("", "Cilium|eBPF"),
        T("服务网格", "service mesh|Istio"),
        T("端点|端点切片", "Endpoints|EndpointSlice"),
        T("会话保持", "sessionAffinity"),
        T("无头服务", "headless Service"),
        T("网关", "Gateway API"),
        T("跨节点通信|覆盖网络", "overlay network|MTU"),
        T("服务发现", "service discovery"),
    ],
    "调度": [
        T("调度器", "kube-scheduler|scheduler"),
        T("污点", "taint|taints"),
        T("容忍", "toleration|tolerations"),
        T("节点亲和性", "node affinity|nodeAffinity"),
        T("Pod反亲和性|反亲和性", "pod anti-affinity|podAntiAffinity"),
        T("节点选择器", "nodeSelector"),
        T("优先级|抢占", "PriorityClass|preemption"),
        T("资源请求|资源限制", "requests|limits"),
        T("服务质量等级", "QoS|Guaranteed|BestEffort"),
        T("水平自动扩缩容|自动扩缩容|弹性伸缩", "HPA|HorizontalPodAutoscaler"),
        T("垂直自动扩缩容", "VPA|VerticalPodAutoscaler"),
        T("集群自动扩缩容", "Cluster Autoscaler"),
        T("拓扑分布约束", "topologySpreadConstraints"),
        T("驱逐|节点压力驱逐", "eviction"),
        T("中断预算|Pod中断预算", "PodDisruptionBudget|PDB"),
        T("调度框架", "scheduling framework"),
        T("打分|过滤", "scoring|filtering"),
        T("节点维护|排空节点", "cordon|drain"),
    ],
    "存储": [
        T("持久卷", "PersistentVolume|PV"),
        T("持久卷声明", "PersistentVolumeClaim|PVC"),
        T("存储类", "StorageClass"),
        T("动态供给", "dynamic provisioning"),
        T("容器存储接口", "CSI|CSI driver"),
        T("卷快照", "VolumeSnapshot"),
        T("临时卷", "emptyDir"),
        T("主机路径", "hostPath"),
        T("网络文件系统", "NFS"),
        T("分布式存储", "Ceph|Rook"),
        T("", "Longhorn"),
        T("访问模式", "ReadWriteOnce|ReadWriteMany|accessModes"),
        T("回收策略", "reclaimPolicy|Retain"),
        T("卷声明模板", "volumeClaimTemplates"),
        T("卷扩容|在线扩容", "volume expansion|allowVolumeExpansion"),
        T("本地持久卷", "local PV|local volume"),
        T("etcd备份|数据备份", "etcd snapshot|backup"),
        T("备份恢复", "Velero|restore"),
    ],
    "安全": [
        T("基于角色的访问控制|权限控制", "RBAC"),
        T("角色|集群角色", "Role|ClusterRole"),
        T("角色绑定", "RoleBinding|ClusterRoleBinding"),
        T("服务账号|服务账户", "ServiceAccount"),
        T("认证", "authentication|authn"),
        T("授权", "authorization|authz"),
        T("准入控制|准入控制器", "admission controller|admission webhook"),
        T("Pod安全标准|Pod安全准入", "Pod Security Admission|Pod Security Standards"),
        T("安全上下文", "securityContext|runAsNonRoot"),
        T("系统调用过滤", "seccomp|AppArmor"),
        T("镜像签名", "image signing|cosign"),
        T("策略引擎", "OPA Gatekeeper|Kyverno"),
        T("证书轮换|证书管理", "certificate rotation|cert-manager"),
        T("传输加密", "TLS|mTLS"),
        T("静态加密", "encryption at rest|KMS"),
        T("审计日志", "audit log|audit policy"),
        T("最小权限", "least privilege"),
        T("镜像漏洞扫描", "Trivy|image scanning"),
    ],
    "运维": [
        T("滚动更新", "rolling update|RollingUpdate"),
        T("回滚", "rollback|kubectl rollout undo"),
        T("金丝雀发布|灰度发布", "canary release|canary"),
        T("蓝绿部署", "blue-green deployment"),
        T("包管理", "Helm|Helm chart"),
        T("", "Kustomize"),
        T("持续交付", "GitOps|Argo CD"),
        T("监控", "Prometheus|metrics-server"),
        T("可视化", "Grafana|dashboard"),
        T("告警", "Alertmanager|alerting"),
        T("日志收集", "Loki|Fluent Bit|EFK"),
        T("集群搭建", "kubeadm"),
        T("集群升级|版本升级", "cluster upgrade|kubeadm upgrade"),
        T("etcd备份与恢复", "etcdctl snapshot"),
        T("故障排查|排障", "troubleshooting|kubectl debug"),
        T("容器反复重启", "CrashLoopBackOff"),
        T("内存溢出", "OOMKilled|OOM"),
        T("镜像拉取失败", "ImagePullBackOff|ErrImagePull"),
        T("容量规划", "capacity planning"),
        T("链路追踪", "tracing|OpenTelemetry"),
    ],
}
CATEGORIES = tuple(TERMS)

# Concepts any article may mention in passing.
COMMON = [
    T("集群", "cluster|Kubernetes|k8s"),
    T("节点|工作节点", "Node|worker node"),
    T("控制平面", "control plane"),
    T("容器", "container"),
    T("镜像|容器镜像", "image|container image"),
    T("控制器", "controller"),
    T("资源清单|清单", "manifest|YAML"),
    T("副本", "replicas"),
    T("事件", "events"),
    T("命令行", "kubectl"),
    T("生产环境", "production"),
    T("工作负载", "workload"),
]

GENERIC_TAGS = ["Kubernetes", "k8s", "云原生", "cloud native", "DevOps", "最佳实践",
                "排障", "入门", "实战", "源码分析", "SRE", "生产环境"]

NAMES = ["myblog", "nginx-demo", "order-svc", "payment-api", "redis-cache", "mysql-0",
         "user-center", "gateway", "web-frontend", "log-agent", "kafka-broker", "search-api",
         "billing", "inventory", "report-job", "mq-consumer"]
NAMESPACES = ["default", "luffy", "prod", "staging", "kube-system", "monitoring", "ops",
              "team-a", "payments", "data"]
VERSIONS = ["v1.20", "v1.22", "v1.24", "v1.25", "v1.26", "v1.27", "v1.28", "v1.29", "v1.30"]
IMAGES = ["nginx:1.25-alpine", "redis:7.2", "mysql:8.0", "busybox:1.36", "golang:1.22",
          "python:3.11-slim", "registry.k8s.io/pause:3.9", "harbor.local/app/web:2.3.1"]

# -- sentence templates ------------------------------------------------------------------
# {t}: the article's concept, {u}: another concept of its category, {c}: a common concept,
# {n}: a number, {v}: a version, {name}/{ns}: a resource name and namespace.
ZH_INTRO = [
    "这篇笔记整理一下{t}，顺带聊聊它和{u}之间的关系。",
    "最近在{ns}环境里折腾{t}，踩了不少坑，记录下来备查。",
    "{t}是{cat}里绕不开的话题，本文从原理、配置到排障完整走一遍。",
    "很多人第一次接触{t}都会觉得概念很多，其实抓住{c}这条主线就不难理解。",
    "上一篇聊了{u}，这一篇接着讲{t}，示例仍然基于{name}这个应用。",
    "线上集群从{v}升级之后，{t}的表现和预期不太一样，于是有了这篇文章。",
]
ZH_SENTENCES = [
    "在生产集群里，{t}往往是最先被问到的话题之一，因为它直接影响{u}的行为。",
    "很多同学会把{t}和{u}混为一谈，其实两者要解决的问题完全不同。",
    "默认情况下{t}的配置比较保守，建议结合业务峰值重新评估。",
    "集群规模超过{n}个节点以后，{t}带来的额外开销就不能再忽略了。",
    "排查问题时先用kubectl describe看一眼事件，与{t}相关的报错通常写得很清楚。",
    "升级到{v}之后，{t}的行为有一些细微变化，记得先读一遍release note。",
    "我们在{ns}命名空间里部署了一个叫{name}的应用来演示{t}。",
    "{t}和{u}配合使用时，一定要注意它们生效的先后顺序。",
    "从控制循环的角度看，{t}不过是不断把实际状态拉回期望状态的一种手段。",
    "线上曾经因为{t}配置不当出过一次故障，大约影响了{n}分钟的流量。",
    "社区里关于{t}的讨论很多，但真正落地时还要结合团队自己的运维习惯。",
    "注意，{t}并不能替代{u}，它们通常需要一起出现在{c}的设计里。",
    "把{t}的检查写进CI流水线之后，同类问题基本没有再出现过。",
    "监控方面建议为{t}单独配置告警规则，阈值可以先设成{n}%再慢慢调整。",
    "对于有状态服务，{t}的处理方式又有所不同，后面会单独展开。",
    "本节示例基于kubeadm搭建的{v}集群，其他发行版大同小异。",
    "简单来说，{t}解决的是{c}出了变化之后该怎么办的问题。",
    "如果{name}的副本数只有{n}个，{t}的效果可能并不明显。",
    "官方文档对{t}的描述比较简略，下面结合源码补充几个细节。",
    "{t}的状态最终都会写进etcd，所以{c}的健康程度决定了它的上限。",
    "修改{t}之后不需要重启{c}，控制器会在几秒内完成调和。",
    "有时候{t}看起来没有生效，多半是{u}那边的配置挡住了。",
    "在多租户集群中，{t}通常由平台团队统一管理，业务方只需要声明需求。",
    "测试环境可以放宽{t}的限制，但生产环境一定要收紧。",
    "记住一个原则：先让{u}稳定下来，再去调{t}。",
    "用kubectl get -o yaml导出当前对象，对比一下{t}相关的字段就能看出差异。",
    "{t}背后的实现其实并不复杂，核心逻辑不过几百行代码。",
    "压测时我们把并发提高到{n}，{t}依然表现稳定。",
    "如果只记住一件事，那就是{t}要和{c}的生命周期保持一致。",
    "这里顺便提一句，{u}在{v}里已经进入GA阶段，可以放心使用。",
]
EN_SENTENCES = [
    "In practice {t} is tuned together with {u}, never in isolation.",
    "A common mistake is to treat {t} as a replacement for {u}.",
    "Once the cluster grows beyond {n} nodes, the cost of {t} becomes visible.",
    "Check the events with kubectl describe first: most {t} problems explain themselves there.",
    "Since {v}, the behaviour of {t} changed slightly, so read the release notes before upgrading.",
    "We deploy a small app called {name} in the {ns} namespace to demonstrate {t}.",
    "Think of {t} as one more control loop that drives the actual state towards the desired state.",
    "The defaults for {t} are conservative; revisit them with your real traffic profile.",
    "Keep {t} in version control next to the rest of the {c} manifests.",
    "Do not change {t} and {u} in the same rollout; you will not know which one helped.",
    "Alert on {t} early, for example when it stays above {n}% for ten minutes.",
    "Most of the time {t} works out of the box, until it suddenly does not.",
    "The documentation on {t} is short, so the notes below fill in a few details from the source.",
]
ZH_HEADINGS = ["{t}的工作原理", "常见问题与排查", "一个最小示例", "与{u}的关系", "生产环境的建议",
               "性能与容量规划", "升级注意事项", "监控与告警", "配置详解", "踩坑记录",
               "源码里的细节", "动手实验", "背景", "延伸阅读"]
EN_HEADINGS = ["How {t} works", "Troubleshooting", "A minimal example", "{t} vs {u}",
               "Production checklist", "Pitfalls", "Upgrading", "Monitoring {t}"]
ZH_TITLES = ["{t}实战：从原理到排障", "深入理解{t}", "{t}与{u}的那些坑", "一文搞懂{t}",
             "{t}配置指南（{v}）", "{t}排障笔记（{n}）", "生产环境中的{t}", "聊聊{t}和{u}",
             "{t}入门", "{t}源码阅读笔记", "用{t}解决{c}问题", "{t}最佳实践"]
EN_TITLES = ["Understanding {t}", "{t} in practice", "{t} vs {u}: what to choose",
             "Notes on {t} ({v})", "Debugging {t}", "A field guide to {t}"]
ZH_LIST_ITEMS = ["先确认{t}是否已经开启；", "检查{u}的配置有没有冲突；",
                 "用kubectl get events --sort-by=.lastTimestamp看最近的事件；",
                 "确认{name}的副本都处于Running状态；", "对照{v}的变更日志核对字段；",
                 "在{ns}里先小范围验证{t}；", "观察{c}的指标，至少持续{n}分钟。"]
ZH_CLOSING = ["小结一下：{t}本身并不难，难的是和{u}、{c}一起考虑。",
              "以上就是{t}的全部内容，下一篇会继续聊{u}。",
              "如果你在{t}上还有别的坑，欢迎留言交流。"]

YAML_BLOCKS = [
    """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  replicas: {n}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: {image}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi""",
    """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  namespace: {ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 2
  maxReplicas: {n}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70""",
    """apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: ClusterIP
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: 8080""",
    """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}-allow-frontend
  namespace: {ns}
spec:
  podSelector:
    matchLabels:
      app: {name}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              role: frontend""",
    """apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-{name}
  namespace: {ns}
spec:
  accessModes: ["ReadWriteOnce"]
  storageClassName: fast-ssd
  resources:
    requests:
      storage: {n}Gi""",
    """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  tolerations:
    - key: dedicated
      operator: Equal
      value: gpu
      effect: NoSchedule
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: topology.kubernetes.io/zone
                operator: In
                values: ["zone-a"]
  containers:
    - name: app
      image: {image}""",
    """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}-reader
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]""",
    """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}-pdb
  namespace: {ns}
spec:
  minAvailable: {n}
  selector:
    matchLabels:
      app: {name}""",
]
BASH_BLOCKS = [
    """kubectl -n {ns} get pods -o wide
kubectl -n {ns} describe deploy {name}
kubectl -n {ns} rollout status deploy/{name}""",
    """kubectl -n {ns} set image deploy/{name} app={image}
kubectl -n {ns} rollout history deploy/{name}
kubectl -n {ns} rollout undo deploy/{name} --to-revision={n}""",
    """ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 \\
  --cacert=/etc/kubernetes/pki/etcd/ca.crt \\
  --cert=/etc/kubernetes/pki/etcd/server.crt \\
  --key=/etc/kubernetes/pki/etcd/server.key \\
  snapshot save /backup/etcd-{n}.db""",
    """kubectl taint nodes node-{n} dedicated=gpu:NoSchedule
kubectl cordon node-{n}
kubectl drain node-{n} --ignore-daemonsets --delete-emptydir-data""",
    """kubectl -n {ns} get hpa {name} -w
kubectl top pods -n {ns} --sort-by=cpu""",
    """ipvsadm -Ln | head -n 20
iptables-save | grep KUBE-SVC | wc -l
kubectl -n kube-system logs ds/kube-proxy --tail={n}""",
    """kubectl auth can-i list pods --as=system:serviceaccount:{ns}:{name}
kubectl -n {ns} get rolebinding -o wide""",
    """helm repo update
helm upgrade --install {name} ./charts/{name} -n {ns} --set replicaCount={n}
kubectl -n {ns} get events --sort-by=.lastTimestamp | tail""",
]


# -- documents ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Doc:
    filename: str
    slug: str
    title: str
    text: str  # the whole file: front matter and Markdown body


def _ascii_slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Writer:
    """Builds one article; ``rng`` decides everything, so the output is reproducible."""

    def __init__(self, rng, index):
        self.rng = rng
        self.index = index
        self.category = rng.choice(CATEGORIES)
        pool = TERMS[self.category]
        self.topic = rng.choice(pool)
        others = [term for term in pool if term is not self.topic]
        self.related = rng.sample(others, k=min(4, len(others)))
        self.english = rng.random() < 0.15  # some articles are written mostly in English
        self.name = rng.choice(NAMES)
        self.ns = rng.choice(NAMESPACES)

    def form(self, term, prefer_zh=None):
        rng = self.rng
        if prefer_zh is None:
            prefer_zh = rng.random() < (0.15 if self.english else 0.55)
        forms = (term.zh if prefer_zh else term.en) or term.zh or term.en
        # Mostly the first (most common) spelling, sometimes a variant.
        return forms[0] if len(forms) == 1 or rng.random() < 0.6 else rng.choice(forms[1:])

    def fill(self, template):
        rng = self.rng
        values = {
            "t": self.form(self.topic),
            "u": self.form(rng.choice(self.related)),
            "c": self.form(rng.choice(COMMON)),
            "n": rng.choice([2, 3, 5, 8, 10, 20, 30, 50, 100, 200, 500]),
            "v": rng.choice(VERSIONS),
            "name": self.name,
            "ns": self.ns,
            "cat": self.category,
            "image": rng.choice(IMAGES),
        }
        return template.format(**values)

    def sentence(self):
        english = self.rng.random() < (0.75 if self.english else 0.12)
        return self.fill(self.rng.choice(EN_SENTENCES if english else ZH_SENTENCES))

    def paragraph(self, lo=2, hi=4):
        sentences = [self.sentence() for _ in range(self.rng.randint(lo, hi))]
        joined = ""
        for s in sentences:  # a space between English sentences, none after a Chinese one
            joined += (" " if joined and joined[-1] in ".:;" else "") + s
        return joined

    def title(self):
        templates = EN_TITLES if self.english or self.rng.random() < 0.1 else ZH_TITLES
        return self.fill(self.rng.choice(templates))

    def tags(self):
        rng = self.rng
        wanted = rng.randint(2, 5)
        candidates = [self.form(self.topic, prefer_zh=False), self.form(self.topic, prefer_zh=True),
                      self.form(rng.choice(self.related)), self.category]
        candidates += rng.sample(GENERIC_TAGS, 3)
        tags, seen = [], set()
        for tag in candidates:
            if tag.lower() not in seen:
                seen.add(tag.lower())
                tags.append(tag)
            if len(tags) == wanted:
                break
        return tags

    def code_block(self):
        rng = self.rng
        if rng.random() < 0.5:
            return "```yaml\n" + self.fill(rng.choice(YAML_BLOCKS)) + "\n```"
        return "```bash\n" + self.fill(rng.choice(BASH_BLOCKS)) + "\n```"

    def article(self, approx_bytes):
        rng = self.rng
        title = self.title()
        slug = f"{_ascii_slug(self.topic.en[0] if self.topic.en else 'k8s')}-{self.index:05d}"
        date = FIRST_DATE + timedelta(days=rng.randrange(DATE_SPAN_DAYS),
                                      minutes=rng.randrange(24 * 60))
        front = [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"slug: {slug}",
            f"author: {rng.choice(AUTHORS)}",
            f"date: {date.isoformat()}",
            f"tags: {json.dumps(self.tags(), ensure_ascii=False)}",
            f"category: {self.category}",
            "---",
            "",
        ]
        intro = self.fill(rng.choice(ZH_INTRO)) + self.paragraph(1, 2)
        parts = [intro, "<!--more-->"]
        headings = EN_HEADINGS if self.english else ZH_HEADINGS
        used_headings = set()
        code_at = rng.randint(1, 2)  # which section gets the code block
        size = len("\n".join(front + parts).encode())
        section = 0
        while size < approx_bytes * 0.9 or section < 2:
            section += 1
            heading = self.fill(rng.choice(headings))
            while heading in used_headings and len(used_headings) < len(headings):
                heading = self.fill(rng.choice(headings))
            used_headings.add(heading)
            block = [f"## {heading}", self.paragraph()]
            if section == code_at:
                block.append(self.code_block())
                block.append(self.paragraph(1, 2))
            elif rng.random() < 0.3:
                items = rng.sample(ZH_LIST_ITEMS, rng.randint(2, 4))
                block.append("\n".join(f"- {self.fill(item)}" for item in items))
            else:
                block.append(self.paragraph())
            parts.extend(block)
            size += len("\n\n".join(block).encode()) + 2
        parts.append(self.fill(rng.choice(ZH_CLOSING)))
        text = "\n".join(front) + "\n\n".join(parts) + "\n"
        return Doc(filename=f"{self.index:05d}-{slug}.md", slug=slug, title=title, text=text)


def generate(n_docs, seed=42, approx_bytes=3000):
    """Yield ``n_docs`` :class:`Doc` objects of about ``approx_bytes`` UTF-8 bytes each."""
    for index in range(n_docs):
        # A string seed is hashed with SHA-512: stable across runs and Python versions.
        rng = random.Random(f"blogapp-bench:{seed}:{index}")
        yield _Writer(rng, index).article(approx_bytes)


def write_corpus(directory, n_docs, seed=42, approx_bytes=3000):
    """Write the corpus as ``*.md`` files into ``directory``; return ``(files, bytes)``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    for doc in generate(n_docs, seed=seed, approx_bytes=approx_bytes):
        data = doc.text.encode("utf-8")
        (directory / doc.filename).write_bytes(data)
        total += len(data)
    return n_docs, total


# -- queries ------------------------------------------------------------------------------
QUERY_TEMPLATES = [
    "{en}", "{zh}", "{en} {zh2}", "{zh} {en2}", "{zh}{suffix}", "{en} {en2}",
    "如何配置{zh}", "{zh}和{zh2}的区别", "{en} 不生效怎么办", "{en} 原理", "{zh} 最佳实践",
    "{typo}", "{typo} {zh2}", "{hyphen}", "{hyphen} {zh2}", "{phrase}",
]
ZH_SUFFIXES = ["配置", "原理", "排障", "实战", "示例", "报错", "升级"]
HYPHENATED = ["kube-proxy", "cert-manager", "ingress-nginx", "metrics-server", "node-affinity",
              "pod-anti-affinity", "kube-scheduler", "kube-apiserver", "blue-green",
              "read-write-once", "Pod-Security-Admission", "kubectl-debug", "rolling-update"]
PHRASES = ["rolling update rollback", "pod anti affinity", "etcd 备份", "HPA 扩容",
           "Ingress控制器 配置", "kube-proxy ipvs", "滚动更新 回滚", "污点 容忍", "service mesh",
           "StatefulSet 存储", "CrashLoopBackOff 排查", "证书 过期", "节点 NotReady",
           "network policy 默认拒绝", "PVC 扩容", "RBAC 最小权限", "金丝雀发布 Ingress"]


def _typo(rng, word):
    """One keyboard slip: a doubled, dropped or swapped letter (never the first one)."""
    if len(word) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("double", "drop", "swap"))
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def sample_queries(seed=42, n=200):
    """``n`` distinct, realistic search queries: zh, en, mixed, hyphenated, a few typos."""
    rng = random.Random(f"blogapp-bench-queries:{seed}")
    # Words of one query come from one category, as a reader's would.
    zh_terms = {cat: [z for term in pool + COMMON for z in term.zh] for cat, pool in TERMS.items()}
    en_terms = {cat: [e for term in pool + COMMON for e in term.en] for cat, pool in TERMS.items()}
    typo_sources = [e for pool in en_terms.values() for e in pool
                    if e.isascii() and e.isalpha() and len(e) >= 6]
    queries, seen, attempts = [], set(), 0
    while len(queries) < n and attempts < n * 50:
        attempts += 1
        template = rng.choice(QUERY_TEMPLATES)
        # Typos are "a few": keep them to about one query in twenty.
        if "{typo}" in template and rng.random() < 0.5:
            continue
        category = rng.choice(CATEGORIES)
        en, zh = en_terms[category], zh_terms[category]
        query = template.format(
            en=rng.choice(en), en2=rng.choice(en), zh=rng.choice(zh), zh2=rng.choice(zh),
            suffix=rng.choice(ZH_SUFFIXES), typo=_typo(rng, rng.choice(typo_sources).lower()),
            hyphen=rng.choice(HYPHENATED), phrase=rng.choice(PHRASES),
        )
        if query.lower() not in seen:
            seen.add(query.lower())
            queries.append(query)
    return queries


if __name__ == "__main__":  # a quick look: python bench/corpus.py
    first = next(generate(1))
    print(first.text)
    print(len(first.text.encode()), "bytes")
    print(sample_queries(42, 30))
