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
  "{:follows {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
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

;; ---------------------------------------------------------------------------
;; Workloads: name -> {:setup (fn [] state), untimed
;;                     :run (fn [state] result), timed
;;                     :answer (fn [state result] EDN of this runtime), untimed}

(def add-1-attrs [:name :last-name :sex :age :salary])

;; DataScript's wide tree (bench `wide-db`), each node a person whose
;; attributes come from its id: the same formulas as WideTreeTx in
;; bench/side_by_side.cc, so both sides hold the same data.
(def wide-names ["Ivan" "Petr" "Sergei" "Oleg" "Yuri" "Dmitry" "Fedor" "Denis"])
(def wide-last ["Ivanov" "Petrov" "Sidorov" "Kovalev" "Kuznetsov" "Voronoi"])
(def wide-aliases ["A. C. Q. W." "A. J. Finn" "A.A. Fair" "Aapeli" "Aaron Wolfe" "Abigail Van Buren"
                   "Jeanne Phillips" "Abram Tertz" "Abu Nuwas" "Acton Bell" "Adunis"])

(defn wide-tree-tx [id depth width]
  (let [nm (wide-names (mod id 8))
        ln (wide-last (mod id 6))
        children (when (pos? depth) (map #(+ (* id width) %) (range width)))
        person (cond-> {:db/id (str id) :id id :name nm :last-name ln :full-name (str nm " " ln)
                        :sex (if (even? id) :male :female) :age (mod id 100)
                        :salary (mod (* id 7919) 100000)
                        :alias (vec (for [j (range (mod id 4))] (wide-aliases (mod (+ id j) 11))))}
                 children (assoc :follows (mapv str children)))]
    (cons person (mapcat #(wide-tree-tx % (dec depth) width) children))))

(def wide-db
  (delay (ds/db_with_raw (ds/empty_db (ds/read_string "{:id {:db/unique :db.unique/identity}
                                                         :follows {:db/valueType :db.type/ref
                                                                   :db/cardinality :db.cardinality/many}
                                                         :alias {:db/cardinality :db.cardinality/many}}"))
                         (->ds (vec (wide-tree-tx 1 4 5))))))

(defn tree-answer
  "[maps, sum of :age, values of :alias] over a pulled tree, read back from
  DataScript's runtime as EDN text."
  [pulled]
  (let [tree (reader/read-string (.toString pulled))
        walk (fn walk [m]
               (reduce (fn [[n a l] f] (let [[n2 a2 l2] (walk f)] [(+ n n2) (+ a a2) (+ l l2)]))
                       [1 (or (:age m) 0) (count (:alias m))]
                       (:follows m)))]
    (walk tree)))

(defn pull-workload [pattern]
  {:setup (fn [] {:db @wide-db :pattern (ds/read_string pattern) :root (->ds [:id 1])})
   :run (fn [{:keys [db pattern root]}] (ds/pull_raw db pattern root))
   :answer (fn [_ pulled] (tree-answer pulled))})

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

   ;; DataScript's pull benchmarks on its wide tree (depth 4, width 5).
   "pull-one" (pull-workload "[:name {:follows ...}]")
   "pull-many" (pull-workload "[:db/id :last-name :alias :sex :age :salary {:follows ...}]")
   "pull-wildcard" (pull-workload "[* {:follows ...}]")})

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
