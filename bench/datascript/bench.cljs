(ns bench
  "The DataScript side of Strata's side-by-side benchmarks: DataScript's
  own benchmark (tonsky/datascript bench/datascript/bench/datascript.cljc) on the
  npm package datascript@1.8.1, reading the same data files as the Strata side.

  Run:  bench/datascript/run [--quick] DATA_DIR WORKLOAD...
  (`run` installs the pinned packages and starts this script with nbb-logseq.)

  Prints one line per workload on stdout:  NAME <TAB> MS_PER_OP <TAB> ANSWER
  where ANSWER is EDN on one line, to be compared with Strata's.  Errors go to
  stderr and make the exit status non-zero.

  Every DataScript call goes through ds181.js, i.e. the real 1.8.1 bundle, never
  through the DataScript fork inside nbb-logseq.  That bundle is a separate
  ClojureScript runtime: its values are made with ds/read_string (from EDN
  text) and read back through its JS API (ds/datoms gives a JS array of datoms
  with .e .a .v .tx), never touched with this script's own core functions.
  Timed loops over transactions run in JS (Array.prototype.reduce with
  ds/db_with_raw), so nbb's interpreter is not inside the measurement."
  (:require ["fs" :as fs]
            ["path" :as path]
            ["./ds181.js$default" :as ds]
            [cljs.reader :as reader]
            [clojure.string :as str]))

;; ---------------------------------------------------------------------------
;; Timing: the same scheme as the Strata side.

(def full-timing {:warmup-ms 2000 :samples 9 :batch-ms 500})
(def quick-timing {:warmup-ms 200 :samples 3 :batch-ms 100})

(defn- now [] (js/performance.now))

(defn- run-for
  "Runs (run state) repeatedly (at least once) until ms have passed.
  Returns [mean ms per run, the last run's result]."
  [run state ms]
  (let [start (now)]
    (loop [n 1 result (run state)]
      (let [elapsed (- (now) start)]
        (if (< elapsed ms)
          (recur (inc n) (run state))
          [(/ elapsed n) result])))))

(defn measure
  "Warms up, takes the samples; returns [median ms per run, last result]."
  [{:keys [warmup-ms samples batch-ms]} run state]
  (run-for run state warmup-ms)
  (let [last-result (volatile! nil)
        times (sort (for [_ (range samples)]     ; keeps only the last result
                      (let [[ms r] (run-for run state batch-ms)]
                        (vreset! last-result r)
                        ms)))]
    [(nth times (quot (count times) 2)) @last-result]))

;; ---------------------------------------------------------------------------
;; Data and DataScript helpers

(defn plain-pr-str
  "pr-str without #:ns{} map syntax, readable by DataScript's cljs.reader."
  [x]
  (binding [*print-namespace-maps* false] (pr-str x)))

(defn ->ds "A value of this runtime as a value of DataScript's runtime." [x]
  (ds/read_string (plain-pr-str x)))

(def data-dir (atom nil))
(defn- data-text [file] (str (fs/readFileSync (path/join @data-dir file) "utf8")))

;; DataScript's bench schema.
(def schema-edn
  "{:id      {:db/unique :db.unique/identity}
    :follows {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
    :alias   {:db/cardinality :db.cardinality/many}}")

(def schema (delay (ds/read_string schema-edn)))
(def people "people20k.edn as data of this runtime (to build tx text)."
  (delay (reader/read-string (data-text "people20k.edn"))))
(def people-ds "people20k.edn as data of DataScript's runtime."
  (delay (ds/read_string (data-text "people20k.edn"))))
(def kw-name (delay (ds/read_string ":name")))
(def kw-age (delay (ds/read_string ":age")))

(defn empty-db [] (ds/empty_db @schema))

(defn datoms "d/datoms as a JS array of DataScript datoms." [db index & components]
  (apply ds/datoms db (str index) (map ->ds components)))

(defn reduce-with "(reduce d/db-with db txs), txs a JS array of tx-data." [db txs]
  (.reduce txs ds/db_with_raw db))

(defn count-sum
  "[number of :name datoms, sum of :age values], both from the :aevt index."
  [db]
  [(.-length (datoms db :aevt :name))
   (.reduce (datoms db :aevt :age) (fn [s d] (+ s (.-v d))) 0)])

(defn shuffled
  "A fixed permutation of xs (Fisher-Yates driven by xorshift32, seed 42),
  standing in for the random shuffle of DataScript's bench."
  [xs]
  (let [a (into-array xs)]
    (loop [i (dec (alength a)) s 42]
      (if (pos? i)
        (let [s (bit-xor s (bit-shift-left s 13))
              s (bit-xor s (unsigned-bit-shift-right s 17))
              s (unsigned-bit-shift-right (bit-xor s (bit-shift-left s 5)) 0)
              j (mod s (inc i))
              t (aget a i)]
          (aset a i (aget a j))
          (aset a j t)
          (recur (dec i) s))
        a))))

;; Queries and pull: DataScript's *db100k (the 20,000 people at once), the
;; trees of wide-db / long-db, and answers computed as the Strata side does.

(def db100k (delay (ds/db_with_raw (empty-db) @people-ds)))

(defn tree-db "A wide-DxW / long-DxW file, transacted at once." [name]
  (ds/db_with_raw (empty-db) (ds/read_string (data-text (str name ".edn")))))

(defn salary-fn "e -> its :salary, or 0." [db]
  (let [m (js/Map.)]
    (doseq [d (datoms db :aevt :salary)] (.set m (.-e d) (.-v d)))
    (fn [e] (or (.get m e) 0))))

(defn kw-name "The name of a keyword of DataScript's runtime." [k]
  (let [s (subs (str k) 1) i (.indexOf s "/")]
    (if (neg? i) s (subs s (inc i)))))

(defn relation-answer
  "[tuples digest...] of a relation of DataScript's runtime, one digest per
  :find column as `kinds` says: e an entity (the sum of its :salary), n a
  number (the sum), s a string (the sum of lengths), k a keyword (the sum
  of its name's lengths)."
  [db rel kinds]
  (let [salary (salary-fn db)
        rows (mapv #(js/Array.from %) (js/Array.from rel))]
    (into [(count rows)]
          (map-indexed (fn [i kind]
                         (reduce + 0 (map (fn [row]
                                            (let [v (aget row i)]
                                              (case kind
                                                \e (salary v)
                                                \n v
                                                \s (.-length v)
                                                \k (count (kw-name v)))))
                                          rows)))
                       kinds))))

(defn query-workload
  "d/q of query (EDN text) over db100k with the extra inputs (EDN text)."
  [query inputs kinds]
  {:setup (fn [] {:args (into-array (concat [(ds/read_string query) @db100k]
                                            (map ds/read_string inputs)))})
   :run (fn [{:keys [args]}] (.apply ds/q_raw nil args))
   :answer (fn [_ rel] (relation-answer @db100k rel kinds))})

(def rules-query "[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]")
(def follows-rules
  "[[(follows ?x ?y) [?x :follows ?y]]
    [(follows ?x ?y) [?x :follows ?t] (follows ?t ?y)]]")

(defn rules-workload [tree]
  {:setup (fn [] (let [db (tree-db tree)]
                   {:db db
                    :args (into-array [(ds/read_string rules-query) db
                                       (ds/read_string follows-rules)])}))
   :run (fn [{:keys [args]}] (.apply ds/q_raw nil args))
   :answer (fn [{:keys [db]} rel] (relation-answer db rel "ee"))})

;; DataScript's bench-find-datoms, the loop in JS.
(def find-datoms-loop
  (js/Function. "ds" "db" "eavt" "attr"
                "var out = [];
                 for (var id = 9000; id < 11000; id++) {
                   var found = ds.datoms_raw(db, eavt, id, attr);
                   out.push(found.length ? found[0].v : null);
                 }
                 return out;"))

(defn pull-answer
  "[maps numbers strings keywords] of a pull result of DataScript's
  runtime: the maps in it, the sum of its numbers but :db/id, the sum of
  its strings' lengths, the sum of its keywords' name lengths."
  [pulled]
  (let [acc (volatile! [0 0 0 0])
        add (fn [i n] (vswap! acc update i + n))]
    (letfn [(value [v]
              (cond (number? v) (add 1 v)
                    (string? v) (add 2 (.-length v))
                    (.-entries v) (walk v)
                    (aget v js/Symbol.iterator) (doseq [x (js/Array.from v)] (value x))
                    :else (add 3 (count (kw-name v)))))
            (walk [m]
              (add 0 1)
              (doseq [[k v] (js/Array.from (.entries m))
                      :when (not= (str k) ":db/id")]
                (value v)))]
      (walk pulled))
    @acc))

(defn pull-workload "d/pull of pattern (EDN text) from entity 1 of wide-4x5." [pattern]
  {:setup (fn [] {:db (tree-db "wide-4x5") :pattern (ds/read_string pattern)})
   :run (fn [{:keys [db pattern]}] (ds/pull_raw db pattern 1))
   :answer (fn [_ pulled] (pull-answer pulled))})

;; ---------------------------------------------------------------------------
;; Workloads: name -> {:setup (fn [] state), untimed
;;                     :run (fn [state] result), timed
;;                     :answer (fn [state result] EDN of this runtime), untimed}

(def add-1-attrs [:name :last-name :sex :age :salary])

(def workloads
  {"add-1"
   {:setup (fn [] {:db (empty-db)
                   :txs (into-array (for [p @people a add-1-attrs]
                                      (->ds [[:db/add (:db/id p) a (get p a)]])))})
    :run (fn [{:keys [db txs]}] (reduce-with db txs))
    :answer (fn [_ db] (count-sum db))}

   "add-5"
   {:setup (fn [] {:db (empty-db) :txs (into-array (map #(->ds [%]) @people))})
    :run (fn [{:keys [db txs]}] (reduce-with db txs))
    :answer (fn [_ db] (count-sum db))}

   "add-all"
   {:setup (fn [] {:db (empty-db) :tx @people-ds})
    :run (fn [{:keys [db tx]}] (ds/db_with_raw db tx))
    :answer (fn [_ db] (count-sum db))}

   "retract-5"
   {:setup (fn [] (let [db (ds/db_with_raw (empty-db) @people-ds)
                        eids (shuffled (map #(.-e %) (datoms db :aevt :name)))]
                    {:db db
                     :txs (into-array (map #(->ds [[:db.fn/retractEntity %]]) eids))}))
    :run (fn [{:keys [db txs]}] (reduce-with db txs))
    :answer (fn [_ db] (count-sum db))}

   ;; (d/datom id k v) for every value; a person's repeated aliases are one
   ;; value (a set, as add-all stores them), so init-db gets no duplicates.
   "init"
   {:setup (fn [] {:datoms (ds/read_string
                            (str "["
                                 (str/join " " (for [p @people
                                                     :let [id (js/parseInt (:db/id p) 10)]
                                                     [k v] p
                                                     :when (not= k :db/id)
                                                     v (if (= k :alias) (distinct v) [v])]
                                                 (str "#datascript/Datom " (plain-pr-str [id k v]))))
                                 "]"))})
    :run (fn [{:keys [datoms]}] (ds/init_db_raw datoms @schema))
    :answer (fn [_ db] (count-sum db))}

   "q1" (query-workload "[:find ?e :where [?e :name \"Ivan\"]]" [] "e")
   "q2" (query-workload "[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a]]" [] "en")
   ;; q2 with its clauses the other way round (not in DataScript's bench).
   "q2-switch" (query-workload "[:find ?e ?a :where [?e :age ?a] [?e :name \"Ivan\"]]" [] "en")
   "q3" (query-workload "[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a] [?e :sex :male]]"
                        [] "en")
   "q4" (query-workload (str "[:find ?e ?l ?a :where [?e :name \"Ivan\"] [?e :last-name ?l]"
                             " [?e :age ?a] [?e :sex :male]]")
                        [] "esn")
   "q5-shortcircuit" (query-workload
                      (str "[:find ?e ?n ?l ?a ?s ?al :in $ ?n ?a :where [?e :name ?n]"
                           " [?e :age ?a] [?e :last-name ?l] [?e :sex ?s] [?e :alias ?al]]")
                      ["\"Anastasia\"" "35"] "essnks")
   "qpred1" (query-workload "[:find ?e ?s :where [?e :salary ?s] [(> ?s 50000)]]" [] "en")
   "qpred2" (query-workload "[:find ?e ?s :in $ ?min_s :where [?e :salary ?s] [(> ?s ?min_s)]]"
                            ["50000"] "en")

   ;; (d/datoms db :eavt id :full-name), first, :v for ids 9000 to 10999.
   ;; Answer: [values found, sum of their lengths, sum of those entities'
   ;; :salary].
   "find-datoms"
   {:setup (fn [] {:db @db100k :eavt (ds/read_string ":eavt") :attr (ds/read_string ":full-name")})
    :run (fn [{:keys [db eavt attr]}] (find-datoms-loop ds db eavt attr))
    :answer (fn [{:keys [db]} values]
              (let [salary (salary-fn db)
                    found (remove nil? (js/Array.from values))]
                [(count found)
                 (reduce + 0 (map #(.-length %) found))
                 (reduce + 0 (map salary (range 9000 11000)))]))}

   "pull-one" (pull-workload "[:name {:follows ...}]")
   "pull-many" (pull-workload "[:db/id :last-name :alias :sex :age :salary {:follows ...}]")
   "pull-wildcard" (pull-workload "[* {:follows ...}]")

   "rules-wide-3x3" (rules-workload "wide-3x3")
   "rules-wide-5x3" (rules-workload "wide-5x3")
   "rules-wide-7x3" (rules-workload "wide-7x3")
   "rules-wide-4x6" (rules-workload "wide-4x6")
   "rules-long-10x3" (rules-workload "long-10x3")
   "rules-long-30x3" (rules-workload "long-30x3")
   "rules-long-30x5" (rules-workload "long-30x5")})

;; ---------------------------------------------------------------------------

(defn run-workload [timing wname]
  (let [{:keys [setup run answer]} (get workloads wname)
        state (setup)
        [ms result] (measure timing run state)]
    (println (str wname "\t" (.toFixed ms 4) "\t" (plain-pr-str (answer state result))))))

(defn -main [args]
  (let [args (if (= "run" (first args)) (rest args) args) ; `run run ...` also works
        quick? (= "--quick" (first args))
        [dir & names] (if quick? (rest args) args)
        timing (if quick? quick-timing full-timing)
        unknown (remove #(contains? workloads %) names)]
    (cond
      (or (nil? dir) (empty? names))
      (do (binding [*print-fn* *print-err-fn*]
            (println "usage: run [--quick] DATA_DIR WORKLOAD...")
            (println "workloads:" (str/join " " (sort (keys workloads)))))
          (js/process.exit 2))

      (seq unknown)
      (do (binding [*print-fn* *print-err-fn*]
            (println "unknown workload:" (str/join " " unknown)))
          (js/process.exit 2))

      :else
      (do (reset! data-dir dir)
          (let [failed (atom false)]
            (doseq [wname names]
              (try (run-workload timing wname)
                   (catch :default e
                     (reset! failed true)
                     (binding [*print-fn* *print-err-fn*]
                       (println (str wname ": " (or (.-message e) e)))))))
            (when @failed (js/process.exit 1)))))))

(-main *command-line-args*)
